"""Drop-in compatible APIs of other systems, translated onto the one core model."""
