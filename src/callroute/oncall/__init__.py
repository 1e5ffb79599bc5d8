"""Load the on-call directory from storage into the pure engine's terms."""
