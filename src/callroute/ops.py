"""Operational endpoints: liveness, readiness, metrics. No authentication, no tenant data."""

from __future__ import annotations

import structlog
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from callroute import metrics_service
from callroute.api.deps import get_ctx
from callroute.api.errors import is_database_unavailable
from callroute.api.routing import add_routes
from callroute.app_context import AppContext
from callroute.db.schema import schema_status

router = APIRouter(tags=["operations"])
log = structlog.get_logger(__name__)


@router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The database is reachable, its schema is current, and the timer runner (when "
    "this process has one) is running and getting through its loop",
)
async def readyz(request: Request) -> JSONResponse:
    ctx = get_ctx(request)
    health = getattr(ctx.runner, "health", None)
    timers = health.describe() if health is not None else None
    try:
        status = await schema_status(ctx.db.engine)
    except Exception as exc:
        if not is_database_unavailable(exc):
            raise
        body = {"status": "unavailable", "database": "unreachable", "timers": timers}
        return JSONResponse(body, status_code=503)
    ready = status.up_to_date and (health is None or health.ready)
    body = {
        "status": "ok" if ready else "unavailable",
        "database": "reachable",
        "schema": status.describe(),
        "timers": timers,
    }
    return JSONResponse(body, status_code=200 if ready else 503)


def health_app(ctx: AppContext) -> FastAPI:
    """/healthz, /readyz and /metrics alone, for a process that serves no API (`callroute
    worker --port`)."""
    app = FastAPI(title="callroute worker", openapi_url=None, docs_url=None, redoc_url=None)
    app.state.ctx = ctx
    add_routes(app, router)
    return app


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(request: Request) -> Response:
    ctx = get_ctx(request)
    try:
        await metrics_service.refresh(ctx)
    except Exception as exc:
        # The process's own figures are still worth serving; the database's stay as last read
        # (and /readyz says what is wrong).
        if not is_database_unavailable(exc):
            raise
        log.warning("metrics_database_unavailable", error=type(exc).__name__)
    return Response(ctx.metrics.render(), media_type=ctx.metrics.content_type)
