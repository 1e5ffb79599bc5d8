"""API keys, roles and permissions."""
