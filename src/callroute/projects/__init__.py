"""The current project (tenant)."""
