"""Referential integrity between directory objects: who points at what, and releasing it."""
