"""The console's router pages: the list, a router's settings in words, and the form of its
common settings, saved through the same service call as the API's PATCH. Reading needs a
signed-in member; the form needs the API's permission to write routers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from callroute.api.deps import ClockDep, Session
from callroute.console import router_forms, router_pages, router_update, web
from callroute.errors import ApiError

WRITE = "routers:write"  # what the API's PATCH /api/v1/routers/{id} requires

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


@router.get("/routers/{router_id}/edit")
async def edit(request: Request, router_id: str, session: Session, clock: ClockDep) -> Response:
    viewer = await web.viewer_of(request, session, clock)
    if viewer is None:
        return web.to_sign_in()
    if not viewer.can(WRITE):
        return web.refused(request, viewer, 403, f"A {viewer.role} cannot change routers.")
    try:
        form = await router_forms.edit_form(session, viewer.project_id, clock, router_id)
    except ApiError as exc:
        return web.refused(request, viewer, exc.status, exc.message)
    return web.page(request, "router_edit.html", viewer=viewer, form=form)


@router.post("/routers/{router_id}/edit")
async def save(request: Request, router_id: str, session: Session, clock: ClockDep) -> Response:
    viewer = await web.viewer_of(request, session, clock)
    if viewer is None:
        return web.to_sign_in()
    fields = await web.form_fields(request)
    if not web.csrf_ok(viewer, fields):
        return web.refused(request, viewer, 403, "The form's token is missing or wrong: reload.")
    if not viewer.can(WRITE):
        return web.refused(request, viewer, 403, f"A {viewer.role} cannot change routers.")
    try:
        saved = await router_update.save(session, viewer.project_id, clock, router_id, fields)
    except ApiError as refusal:
        # The request owns the transaction: undo anything flushed before the refusal, so that a
        # refused form changes nothing, then show the form again as it was typed.
        await session.rollback()
        try:
            form = await router_forms.edit_form(
                session, viewer.project_id, clock, router_id, typed=fields, error=refusal
            )
        except ApiError as exc:  # no such router (here): there is no form to show again
            return web.refused(request, viewer, exc.status, exc.message)
        return web.page(request, "router_edit.html", refusal.status, viewer=viewer, form=form)
    return RedirectResponse(f"/routers/{saved.id}", status_code=303)
