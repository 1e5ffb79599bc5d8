"""The live console: calls in progress (`/live`), a call's page narrated as it happens
(`/calls/{id}/stream`), and "try it", a simulated call placed from the page."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.api.deps import ClockDep, Ctx, Session
from callroute.console import live, service, streams, web
from callroute.console.service import Viewer
from callroute.errors import ApiError
from callroute.simulated_calls.demo import DEMO_CALLER
from callroute.simulated_calls.schemas import SimulatedCallIn
from callroute.simulated_calls.service import place_call

router = APIRouter(include_in_schema=False)
BEHAVIOURS = {
    "answer": "answer and press 1",
    "no-answer": "do not answer",
    "busy": "are busy",
    "decline": "pick up and decline",
    "voicemail": "send it to their own voicemail",
}
TRY_FIELDS = ("to", "from", "digits", "default", "message_seconds")


@router.get("/live")
async def live_calls(request: Request, session: Session, clock: ClockDep) -> Response:
    viewer = await web.viewer_of(request, session, clock)
    if viewer is None:
        return web.to_sign_in()
    return await _live_page(request, session, viewer, clock.now())


async def _live_page(
    request: Request,
    session: AsyncSession,
    viewer: Viewer,
    now: Any,
    status: int = 200,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    calls = await live.calls_in_progress(session, viewer.project_id, now)
    numbers = await live.simulator_numbers(session, viewer.project_id)
    return web.page(
        request,
        "live.html",
        status,
        viewer=viewer,
        calls=calls,
        numbers=numbers,
        behaviours=BEHAVIOURS,
        typed=typed or {"from": DEMO_CALLER, "digits": "1", "default": "answer"},
        errors=errors or {},
    )


@router.get("/live/stream")
async def live_stream(request: Request, ctx: Ctx) -> Response:
    async def draw(session: AsyncSession, viewer: Viewer) -> tuple[str, bool]:
        calls = await live.calls_in_progress(session, viewer.project_id, ctx.clock.now())
        return web.templates.get_template("_live_calls.html").render(calls=calls), False

    return await streams.stream(request, ctx, draw)


@router.post("/live/try")
async def try_a_call(request: Request, session: Session, clock: ClockDep, ctx: Ctx) -> Response:
    """Place a simulated call as the API's simulator does, then watch it on its page."""
    viewer = await web.viewer_of(request, session, clock)
    if viewer is None:
        return web.to_sign_in()
    form = await web.form_fields(request)
    if not web.csrf_ok(viewer, form):
        return web.refused(request, viewer, 403, "The form's token is missing or wrong: reload.")
    if not viewer.can("calls:write"):
        return web.refused(request, viewer, 403, f"A {viewer.role} cannot place calls.")
    typed = {name: form.get(name, "").strip() for name in TRY_FIELDS}
    body = {
        "to": typed["to"],
        "from": typed["from"],
        "digits": [d for d in re.split(r"[\s,]+", typed["digits"]) if d],
        "default": typed["default"] or "answer",
        "message_seconds": typed["message_seconds"] or 8,
    }
    try:
        data = SimulatedCallIn.model_validate(body)
        applied = await place_call(
            session,
            to_number=data.to,
            from_number=data.from_,
            script=data.script(),
            now=clock.now(),
            project_id=viewer.project_id,
        )
    except ValidationError as exc:
        errors = service.messages_by_field(exc, {f: f for f in TRY_FIELDS}, "to")
        return await _live_page(request, session, viewer, clock.now(), 422, typed, errors)
    except ApiError as exc:
        errors = {exc.field if exc.field in TRY_FIELDS else "to": exc.message}
        return await _live_page(request, session, viewer, clock.now(), 422, typed, errors)
    ctx.kick_runner()
    return RedirectResponse(f"/calls/{applied.call.id}", status_code=303)


@router.get("/calls/{call_id}/stream")
async def call_stream(request: Request, call_id: str, ctx: Ctx) -> Response:
    """A call's page as it changes, until the call has ended."""

    async def draw(session: AsyncSession, viewer: Viewer) -> tuple[str, bool]:
        try:
            shown = await service.call_page(session, viewer.project_id, call_id)
        except ApiError as exc:
            return str(Markup('<p class="error">{}</p>').format(exc.message)), True
        html = web.templates.get_template("_call_body.html").render(page_of=shown)
        return html, not live.in_progress(shown.call.status)

    async def guard(session: AsyncSession, viewer: Viewer) -> Response | None:
        try:
            await service.find_call(session, viewer.project_id, call_id)
        except ApiError as exc:  # another project's call, or no call: not found, like the page
            return Response(exc.message, status_code=exc.status, media_type="text/plain")
        return None

    return await streams.stream(request, ctx, draw, guard)
