"""API keys: create (secret shown once), list, revoke."""
