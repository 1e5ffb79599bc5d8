"""The console's pages. HTML over the same services as the API; every form carries a CSRF
token; every page but sign-in needs a signed-in member (a session cookie)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from callroute.alerts.schemas import AlertListQuery
from callroute.alerts.service import AlertService
from callroute.api.deps import ClockDep, Ctx, Session
from callroute.app_context import AppContext
from callroute.console import service
from callroute.console.service import SESSION_LIFETIME, SignIn, Viewer
from callroute.errors import ApiError

log = structlog.get_logger(__name__)
HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")

SESSION_COOKIE = "callroute_session"
SIGN_IN_CSRF_COOKIE = "callroute_sign_in"  # double-submit token of the sign-in form
FAILED = "The e-mail address or the password is not right."

router = APIRouter(include_in_schema=False)


def _secure(ctx: AppContext) -> bool:
    return ctx.settings.public_url.startswith("https://")


async def _form(request: Request) -> dict[str, str]:
    """An url-encoded form's fields (the first value of each)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return {key: values[0] for key, values in parse_qs(body, keep_blank_values=True).items()}


def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    response = templates.TemplateResponse(request, name, context, status_code=status)
    # Pages show a project's data: never cached, never framed by another site.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; media-src 'self'; frame-ancestors 'none'"
    )
    return response


async def viewer_of(request: Request, session: Session, clock: ClockDep) -> Viewer | None:
    return await SignIn(session).viewer(request.cookies.get(SESSION_COOKIE), clock.now())


def _to_sign_in() -> RedirectResponse:
    return RedirectResponse("/sign-in", status_code=303)


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
    response = _page(
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
        secure=_secure(ctx),
        path="/sign-in",
    )
    return response


@router.post("/sign-in")
async def sign_in(request: Request, ctx: Ctx, session: Session, clock: ClockDep) -> Response:
    form = await _form(request)
    expected = request.cookies.get(SIGN_IN_CSRF_COOKIE)
    if not expected or not secrets.compare_digest(expected, form.get("csrf_token", "")):
        return _sign_in_form(request, ctx, status=403, error="The form expired: please try again.")
    assert ctx.rate_limiter is not None
    throttle, allowed = ctx.rate_limiter.failures, ctx.settings.auth_failures_per_minute
    address = request.client.host if request.client else "unknown"
    wait = throttle.wait(address, allowed)
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
        throttle.failed(address, allowed)
        log.info("console_sign_in_failed")
        return _sign_in_form(request, ctx, status=401, error=FAILED, email=email)
    if len(opened) > 1:  # the same person in several projects: which one?
        projects = [(proj.slug, proj.name) for _mem, proj in opened]
        return _sign_in_form(request, ctx, email=email, projects=projects)
    member, _project = opened[0]
    token = await SignIn(session).start(member, clock.now())
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(ctx),
        path="/",
    )
    response.delete_cookie(SIGN_IN_CSRF_COOKIE, path="/sign-in")
    return response


@router.post("/sign-out")
async def sign_out(request: Request, session: Session, clock: ClockDep) -> Response:
    viewer = await viewer_of(request, session, clock)
    form = await _form(request)
    if viewer is not None:
        if not secrets.compare_digest(viewer.csrf_token, form.get("csrf_token", "")):
            return Response("the form's CSRF token is missing or wrong", status_code=403)
        await SignIn(session).end(request.cookies.get(SESSION_COOKIE, ""))
    response = _to_sign_in()
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# -- pages -------------------------------------------------------------------------------------


@router.get("/")
async def overview(request: Request, session: Session, clock: ClockDep) -> Response:
    viewer = await viewer_of(request, session, clock)
    if viewer is None:
        return _to_sign_in()
    data = await service.overview(session, viewer.project_id, clock.now())
    return _page(request, "overview.html", viewer=viewer, overview=data)


ALERT_TABS = ("triggered", "acknowledged", "resolved")


@router.get("/alerts")
async def alerts(request: Request, session: Session, clock: ClockDep) -> Response:
    viewer = await viewer_of(request, session, clock)
    if viewer is None:
        return _to_sign_in()
    status = request.query_params.get("status", "triggered")
    if status not in ALERT_TABS:
        status = "triggered"
    query = AlertListQuery(status=status, limit=100)
    found = await AlertService(session, viewer.project_id).page(
        query.filters(), query.sort_spec(), None, query.limit
    )
    return _page(
        request, "alerts.html", viewer=viewer, alerts=found.rows, tab=status, tabs=ALERT_TABS
    )


@router.post("/alerts/{alert_id}/{action}")
async def alert_action(
    request: Request, alert_id: str, action: str, session: Session, clock: ClockDep
) -> Response:
    """Acknowledge or resolve, as the signed-in member, when their role allows it."""
    viewer = await viewer_of(request, session, clock)
    if viewer is None:
        return _to_sign_in()
    form = await _form(request)
    if not secrets.compare_digest(viewer.csrf_token, form.get("csrf_token", "")):
        return _refused(request, viewer, 403, "The form's token is missing or wrong: reload.")
    if action not in ("acknowledge", "resolve"):
        return _refused(request, viewer, 404, "There is no such action.")
    if not viewer.can("alerts:write"):
        return _refused(request, viewer, 403, f"A {viewer.role} cannot {action} alerts.")
    alerts_ = AlertService(session, viewer.project_id)
    try:
        if action == "acknowledge":
            await alerts_.acknowledge(alert_id, clock.now(), viewer.member_id)
        else:
            await alerts_.resolve(alert_id, f"resolved by {viewer.name}", clock.now())
    except ApiError as exc:
        return _refused(request, viewer, exc.status, exc.message)
    back = form.get("back", "triggered")
    return RedirectResponse(f"/alerts?status={back if back in ALERT_TABS else 'triggered'}", 303)


def _refused(request: Request, viewer: Viewer, status: int, message: str) -> HTMLResponse:
    return _page(request, "refused.html", status, viewer=viewer, message=message)


@router.get("/calls")
async def calls(request: Request, session: Session, clock: ClockDep) -> Response:
    viewer = await viewer_of(request, session, clock)
    if viewer is None:
        return _to_sign_in()
    status = request.query_params.get("status") or None
    rows = await service.call_log(session, viewer.project_id, status)
    return _page(
        request,
        "calls.html",
        viewer=viewer,
        calls=rows,
        chosen=status,
        statuses=service.CALL_STATUSES,
    )


@router.get("/calls/{call_id}")
async def call(request: Request, call_id: str, session: Session, clock: ClockDep) -> Response:
    viewer = await viewer_of(request, session, clock)
    if viewer is None:
        return _to_sign_in()
    try:
        shown = await service.call_page(session, viewer.project_id, call_id)
    except ApiError as exc:
        return _refused(request, viewer, exc.status, exc.message)
    return _page(request, "call.html", viewer=viewer, page_of=shown)
