"""Phone numbers (DIDs): searched, claimed, assigned to a router, released."""
