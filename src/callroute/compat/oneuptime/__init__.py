"""OneUptime's Incoming Call Policy API, served over callroute's routers.

``/api/incoming-call-policy`` (routers), ``/api/incoming-call-policy-escalation-rule`` (the
levels of the escalation policy a router rings) and the read-only call logs
``/api/incoming-call-log`` and ``/api/incoming-call-log-item`` (calls and their legs). No
tables of its own: everything written here is the native data, routed by the engine.
"""

from __future__ import annotations

from functools import cache

from fastapi import APIRouter, FastAPI

from callroute.api.routing import add_routes
from callroute.app_context import AppContext
from callroute.compat.oneuptime import errors
from callroute.compat.oneuptime.crud import crud_router
from callroute.compat.oneuptime.resources import RESOURCES


@cache
def _routers() -> tuple[APIRouter, ...]:
    """Built once per process: each resource's routes are generated (and built) here."""
    return tuple(crud_router(resource) for resource in RESOURCES)


def install(app: FastAPI, ctx: AppContext) -> None:
    """Serve the resources, and answer every failure under /api in OneUptime's shapes, unknown
    paths included; the native API and VoiceLink keep theirs under their longer prefixes."""
    for router in _routers():
        add_routes(app, router)
    ctx.renderers.register(errors.ERROR_PREFIX, errors.render, errors.ERROR_SCHEMA)
