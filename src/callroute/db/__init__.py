"""Storage: engine, unit of work, base models, schema checks."""
