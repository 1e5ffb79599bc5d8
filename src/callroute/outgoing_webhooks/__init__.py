"""Outgoing webhooks: signed event deliveries to other tools, with retries and a log."""
