"""Services: what can be paged (services and functionalities), with an escalation policy."""
