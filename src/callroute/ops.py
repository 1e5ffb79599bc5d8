"""Operational endpoints: liveness, readiness, metrics. No authentication, no tenant data."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from callroute.api.deps import get_ctx
from callroute.api.errors import is_database_unavailable
from callroute.db.schema import schema_status

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The database is reachable and its schema is current")
async def readyz(request: Request) -> JSONResponse:
    ctx = get_ctx(request)
    try:
        status = await schema_status(ctx.db.engine)
    except Exception as exc:
        if not is_database_unavailable(exc):
            raise
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    body = {
        "status": "ok" if status.up_to_date else "unavailable",
        "database": "reachable",
        "schema": status.describe(),
    }
    return JSONResponse(body, status_code=200 if status.up_to_date else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(request: Request) -> Response:
    registry = get_ctx(request).metrics
    return Response(registry.render(), media_type=registry.content_type)
