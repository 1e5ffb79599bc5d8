"""Contacts: known callers, found by phone number."""
