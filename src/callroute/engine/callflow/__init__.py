"""The call state machine: ``step(state, event, now) -> Transition``. Pure: no I/O, no clock."""
