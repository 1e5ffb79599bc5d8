"""Schedules: rotations and overrides in a time zone; who is on call, shifts, iCalendar."""
