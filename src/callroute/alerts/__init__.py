"""Alerts raised by calls."""
