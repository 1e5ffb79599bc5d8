"""Bots: voice bots reached by a media stream over WebSocket."""
