"""Telephony providers behind one interface: the simulator, Twilio, Vonage."""
