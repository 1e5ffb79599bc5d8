"""Rootly's live call routers API (``/v1/live_call_routers``), over callroute's routers."""

from __future__ import annotations

from fastapi import FastAPI

from callroute.api.routing import add_routes
from callroute.app_context import AppContext
from callroute.compat.rootly.errors import ERROR_SCHEMA, render_error
from callroute.compat.rootly.routes import PREFIX, router


def install(app: FastAPI, ctx: AppContext) -> None:
    """Serve the API and answer every failure under its prefix in Rootly's error shape."""
    add_routes(app, router)
    if ctx.renderers.for_path(PREFIX) is not render_error:  # contexts outlive apps in tests
        ctx.renderers.register(PREFIX, render_error, ERROR_SCHEMA)
