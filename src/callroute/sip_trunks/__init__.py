"""SIP trunks: SIP destinations calls can be connected to."""
