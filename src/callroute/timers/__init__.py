"""Durable timers and the workers that fire them."""
