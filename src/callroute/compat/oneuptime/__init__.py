"""OneUptime's Incoming Call Policy API, served over callroute's routers.

``/api/incoming-call-policy`` (routers), ``/api/incoming-call-policy-escalation-rule`` (the
levels of the escalation policy a router rings) and the read-only call logs
``/api/incoming-call-log`` and ``/api/incoming-call-log-item`` (calls and their legs). No
tables of its own: everything written here is the native data, routed by the engine.
"""

from __future__ import annotations

from fastapi import FastAPI

from callroute.compat.oneuptime import errors
from callroute.compat.oneuptime.crud import crud_router
from callroute.compat.oneuptime.resources import RESOURCES
from callroute.context import AppContext


def install(app: FastAPI, ctx: AppContext) -> None:
    for resource in RESOURCES:
        app.include_router(crud_router(resource))
        ctx.renderers.register(resource.path, errors.render)
