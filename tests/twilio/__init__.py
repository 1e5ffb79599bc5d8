"""The Twilio provider: webhooks signed by the official algorithm, REST at the transport."""
