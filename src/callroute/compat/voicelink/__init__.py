"""Vocobase VoiceLink call routing (``/api/v2/voicelink/call-routing``) over native routers."""

from __future__ import annotations

from fastapi import FastAPI

from callroute.api.routing import add_routes
from callroute.app_context import AppContext
from callroute.compat.voicelink.errors import ERROR_SCHEMA, render_error
from callroute.compat.voicelink.routes import PREFIX, router


def install(app: FastAPI, ctx: AppContext) -> None:
    """Serve the VoiceLink routes, and answer every failure under their prefix (unknown
    endpoints and refused keys included) in VoiceLink's error shape."""
    ctx.renderers.register(PREFIX, render_error, ERROR_SCHEMA)
    add_routes(app, router)
