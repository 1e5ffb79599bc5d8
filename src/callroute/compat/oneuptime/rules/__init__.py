"""OneUptime escalation rules: the levels of the escalation policy a router rings."""
