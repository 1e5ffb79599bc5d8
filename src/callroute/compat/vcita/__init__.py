"""vcita (inTandem) voice calls, ``/v3/communication/voice_calls``, over the core calls.

See docs/compat/vcita.md for how to point a vcita client at callroute and what each field
maps to.
"""

from __future__ import annotations

from fastapi import FastAPI

from callroute.api.routing import add_routes
from callroute.app_context import AppContext
from callroute.compat.vcita.errors import ERROR_PREFIX, ERROR_SCHEMA, render
from callroute.compat.vcita.routes import router


def install(app: FastAPI, ctx: AppContext) -> None:
    """Serve the API and answer every failure under vcita's prefix in vcita's error shape."""
    ctx.renderers.register(ERROR_PREFIX, render, ERROR_SCHEMA)
    add_routes(app, router)
