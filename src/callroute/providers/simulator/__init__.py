"""The built-in simulator: scripted phones on a clock, so everything runs with no account."""
