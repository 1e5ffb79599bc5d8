"""Teams: groups of members, optionally with a default escalation policy."""
