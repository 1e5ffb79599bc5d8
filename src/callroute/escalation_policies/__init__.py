"""Escalation policies: ordered levels of targets, rung by a strategy, repeated N times."""
