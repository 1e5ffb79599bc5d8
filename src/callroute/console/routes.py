"""The console's pages. HTML over the same services as the API; every form carries a CSRF
token; every page but sign-in needs a signed-in member (a session cookie)."""

from __future__ import annotations

import secrets

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from callroute.alerts.schemas import AlertListQuery
from callroute.alerts.service import AlertService
from callroute.api.deps import ClockDep, Ctx, Session
from callroute.app_context import AppContext
from callroute.auth.principal import failure_gate
from callroute.calls import recordings
from callroute.calls.routes import audio_response
from callroute.console import live, live_routes, oncall_routes, router_routes, service, web
from callroute.console.service import SESSION_LIFETIME, SignIn
from callroute.errors import ApiError

log = structlog.get_logger(__name__)
SIGN_IN_CSRF_COOKIE = "callroute_sign_in"  # double-submit token of the sign-in form
FAILED = "The e-mail address or the password is not right."

router = APIRouter(include_in_schema=False)


# -- signing in and out ------------------------------------------------------------------------


@router.get("/sign-in")
async def sign_in_page(request: Request, ctx: Ctx) -> Response:
    return _sign_in_form(request, ctx)


def _sign_in_form(
    request: Request,
    ctx: AppContext,
    *,
    status: int = 200,
    error: str | None = None,
    email: str = "",
    projects: list[tuple[str, str]] | None = None,
) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = web.page(
        request,
        "sign_in.html",
        status,
        csrf_token=token,
        error=error,
        email=email,
        projects=projects or [],
    )
    response.set_cookie(
        SIGN_IN_CSRF_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=web.secure(ctx),
        path="/sign-in",
    )
    return response


@router.post("/sign-in")
async def sign_in(request: Request, ctx: Ctx, session: Session, clock: ClockDep) -> Response:
    form = await web.form_fields(request)
    expected = request.cookies.get(SIGN_IN_CSRF_COOKIE)
    if not expected or not secrets.compare_digest(expected, form.get("csrf_token", "")):
        return _sign_in_form(request, ctx, status=403, error="The form expired: please try again.")
    gate = failure_gate(request, ctx)  # shared with the API's keys: one count per address
    wait = gate.wait()
    email = form.get("email", "").strip()
    if wait is not None:
        return _sign_in_form(
            request,
            ctx,
            status=429,
            error=f"Too many failed sign-ins from this address: try again in {wait} s.",
            email=email,
        )
    opened = await SignIn(session).authenticate(email, form.get("password", ""))
    wanted = form.get("project", "")
    if len(opened) > 1 and wanted:
        opened = [(mem, proj) for mem, proj in opened if proj.slug == wanted]
    if not opened:
        gate.failed()
        log.info("console_sign_in_failed")
        return _sign_in_form(request, ctx, status=401, error=FAILED, email=email)
    if len(opened) > 1:  # the same person in several projects: which one?
        projects = [(proj.slug, proj.name) for _mem, proj in opened]
        return _sign_in_form(request, ctx, email=email, projects=projects)
    member, _project = opened[0]
    token = await SignIn(session).start(member, clock.now())
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        web.SESSION_COOKIE,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=web.secure(ctx),
        path="/",
    )
    response.delete_cookie(SIGN_IN_CSRF_COOKIE, path="/sign-in")
    return response


@router.post("/sign-out")
async def sign_out(request: Request, session: Session, clock: ClockDep) -> Response:
    viewer = await web.viewer_of(request, session, clock)
    form = await web.form_fields(request)
    if viewer is not None:
        if not web.csrf_ok(viewer, form):
            return Response("the form's CSRF token is missing or wrong", status_code=403)
        await SignIn(session).end(request.cookies.get(web.SESSION_COOKIE, ""))
    response = web.to_sign_in()
    response.delete_cookie(web.SESSION_COOKIE, path="/")
    return response


# -- pages -------------------------------------------------------------------------------------


@router.get("/")
async def overview(request: Request, session: Session, clock: ClockDep) -> Response:
    viewer = await web.viewer_of(request, session, clock)
    if viewer is None:
        return web.to_sign_in()
    data = await service.overview(session, viewer.project_id, clock.now())
    return web.page(request, "overview.html", viewer=viewer, overview=data)


ALERT_TABS = ("triggered", "acknowledged", "resolved")


@router.get("/alerts")
async def alerts(request: Request, session: Session, clock: ClockDep) -> Response:
    viewer = await web.viewer_of(request, session, clock)
    if viewer is None:
        return web.to_sign_in()
    status = request.query_params.get("status", "triggered")
    if status not in ALERT_TABS:
        status = "triggered"
    query = AlertListQuery(status=status, limit=100)
    found = await AlertService(session, viewer.project_id).page(
        query.filters(), query.sort_spec(), None, query.limit
    )
    return web.page(
        request, "alerts.html", viewer=viewer, alerts=found.rows, tab=status, tabs=ALERT_TABS
    )


@router.post("/alerts/{alert_id}/{action}")
async def alert_action(
    request: Request, alert_id: str, action: str, session: Session, clock: ClockDep
) -> Response:
    """Acknowledge or resolve, as the signed-in member, when their role allows it."""
    viewer = await web.viewer_of(request, session, clock)
    if viewer is None:
        return web.to_sign_in()
    form = await web.form_fields(request)
    if not web.csrf_ok(viewer, form):
        return web.refused(request, viewer, 403, "The form's token is missing or wrong: reload.")
    if action not in ("acknowledge", "resolve"):
        return web.refused(request, viewer, 404, "There is no such action.")
    if not viewer.can("alerts:write"):
        return web.refused(request, viewer, 403, f"A {viewer.role} cannot {action} alerts.")
    alerts_ = AlertService(session, viewer.project_id)
    try:
        if action == "acknowledge":
            await alerts_.acknowledge(alert_id, clock.now(), viewer.member_id)
        else:
            await alerts_.resolve(alert_id, f"resolved by {viewer.name}", clock.now())
    except ApiError as exc:
        return web.refused(request, viewer, exc.status, exc.message)
    back = form.get("back", "triggered")
    return RedirectResponse(f"/alerts?status={back if back in ALERT_TABS else 'triggered'}", 303)


@router.get("/calls")
async def calls(request: Request, session: Session, clock: ClockDep) -> Response:
    viewer = await web.viewer_of(request, session, clock)
    if viewer is None:
        return web.to_sign_in()
    log_ = await service.call_log(session, viewer.project_id, dict(request.query_params))
    return web.page(
        request,
        "calls.html",
        422 if log_.errors else 200,
        viewer=viewer,
        log=log_,
        statuses=service.CALL_STATUSES,
    )


@router.get("/calls/{call_id}")
async def call(request: Request, call_id: str, session: Session, clock: ClockDep) -> Response:
    viewer = await web.viewer_of(request, session, clock)
    if viewer is None:
        return web.to_sign_in()
    try:
        shown = await service.call_page(session, viewer.project_id, call_id)
    except ApiError as exc:
        return web.refused(request, viewer, exc.status, exc.message)
    live_now = live.in_progress(shown.call.status)
    return web.page(request, "call.html", viewer=viewer, page_of=shown, live=live_now)


@router.get("/calls/{call_id}/recordings/{recording_id}/audio")
async def recording_audio(
    request: Request, call_id: str, recording_id: str, session: Session, clock: ClockDep, ctx: Ctx
) -> Response:
    """The voicemail player's source: the recording, fetched with the project's connection (the
    browser never sees the provider's credentials)."""
    viewer = await web.viewer_of(request, session, clock)
    if viewer is None:
        return web.to_sign_in()
    if not viewer.can("calls:read"):
        return web.refused(request, viewer, 403, f"A {viewer.role} cannot read calls.")
    try:
        source = await recordings.recording_source(
            session, viewer.project_id, call_id, recording_id
        )
        await session.close()  # the provider is asked with no transaction open
        audio = await recordings.recording_audio(source, ctx.provider_env)
    except ApiError as exc:
        return Response(exc.message, status_code=exc.status, media_type="text/plain")
    return audio_response(audio)


# Every page of the console, for the application to add as they are (api/routing.py says why
# not include_router).
ROUTERS = (router, live_routes.router, oncall_routes.router, router_routes.router)
