"""Pure routing logic: no database, no HTTP, no provider SDK."""
