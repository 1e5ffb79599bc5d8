"""Provider connections: a provider account's credentials, encrypted at rest."""
