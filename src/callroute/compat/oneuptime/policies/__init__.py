"""OneUptime Incoming Call Policies: routers."""
