"""The web console: server-rendered pages over the same services as the API (docs/console.md)."""
