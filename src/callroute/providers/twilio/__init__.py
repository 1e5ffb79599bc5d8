"""Twilio: real calls through a customer's own Twilio account (see docs/providers/twilio.md)."""
