"""Members: the people callroute can reach."""
