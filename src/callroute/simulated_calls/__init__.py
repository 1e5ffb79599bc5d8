"""The simulator API and CLI entry: place a call to a simulated number."""
