"""Re-encrypting every secret stored at rest with the current CALLROUTE_SECRET_KEY
(`callroute secret-key rotate`)."""
