"""Routers: what happens when one of their numbers is called."""
