"""OneUptime call logs: calls and their legs, read-only."""
