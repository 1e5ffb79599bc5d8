"""Urgencies: high, medium, low in every project, plus custom ones."""
