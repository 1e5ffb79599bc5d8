"""The console's on-call page: who is on call for each schedule, the next 14 days, and a form
that adds an override through the API's own validation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from callroute.api.deps import ClockDep, Session
from callroute.console import oncall, web
from callroute.errors import ApiError, ValidationFailed

router = APIRouter(include_in_schema=False)


@router.get("/on-call")
async def on_call(request: Request, session: Session, clock: ClockDep) -> Response:
    viewer = await web.viewer_of(request, session, clock)
    if viewer is None:
        return web.to_sign_in()
    shown = await oncall.page(session, viewer.project_id, clock)
    return web.page(
        request,
        "oncall.html",
        viewer=viewer,
        oncall=shown,
        can_write=viewer.can(oncall.WRITE_PERMISSION),
        attempt=None,
    )


@router.post("/on-call/{schedule_id}/overrides")
async def add_override(
    request: Request, schedule_id: str, session: Session, clock: ClockDep
) -> Response:
    """Add an override as the signed-in member, when their role may write schedules."""
    viewer = await web.viewer_of(request, session, clock)
    if viewer is None:
        return web.to_sign_in()
    form = await web.form_fields(request)
    if not web.csrf_ok(viewer, form):
        return web.refused(request, viewer, 403, "The form's token is missing or wrong: reload.")
    if not viewer.can(oncall.WRITE_PERMISSION):
        return web.refused(request, viewer, 403, f"A {viewer.role} cannot add overrides.")
    try:
        added_to = await oncall.add_override(session, viewer.project_id, clock, schedule_id, form)
    except ValidationFailed as exc:  # the page again, with the API's message at the field
        shown = await oncall.page(session, viewer.project_id, clock)
        return web.page(
            request,
            "oncall.html",
            exc.status,
            viewer=viewer,
            oncall=shown,
            can_write=True,
            attempt=oncall.attempt_of(schedule_id, form, exc),
        )
    except ApiError as exc:
        return web.refused(request, viewer, exc.status, exc.message)
    return RedirectResponse(f"/on-call#schedule-{added_to}", status_code=303)
