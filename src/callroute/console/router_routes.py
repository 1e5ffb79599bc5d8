"""The console's router pages: the list, and a router's settings in words. Reading needs a
signed-in member."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from callroute.api.deps import ClockDep, Session
from callroute.console import router_pages, web
from callroute.errors import ApiError

router = APIRouter(include_in_schema=False)


@router.get("/routers")
async def routers(request: Request, session: Session, clock: ClockDep) -> Response:
    viewer = await web.viewer_of(request, session, clock)
    if viewer is None:
        return web.to_sign_in()
    cursor = request.query_params.get("cursor")
    try:
        rows, after = await router_pages.router_list(session, viewer.project_id, clock, cursor)
    except ApiError as exc:  # a cursor that is not one of ours
        return web.refused(request, viewer, exc.status, exc.message)
    return web.page(request, "routers.html", viewer=viewer, routers=rows, next_cursor=after)


@router.get("/routers/{router_id}")
async def router_page(
    request: Request, router_id: str, session: Session, clock: ClockDep
) -> Response:
    viewer = await web.viewer_of(request, session, clock)
    if viewer is None:
        return web.to_sign_in()
    try:
        shown = await router_pages.router_page(session, viewer.project_id, clock, router_id)
    except ApiError as exc:
        return web.refused(request, viewer, exc.status, exc.message)
    return web.page(request, "router.html", viewer=viewer, page_of=shown)
