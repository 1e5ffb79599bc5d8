"""What every console page shares: its templates, the response headers of a page, the form's
fields, who is signed in, the CSRF check, and the answer to a refused request. The page
modules (``routes``, ``*_routes``) build on it; services never import it."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from callroute.api.deps import ClockDep, Session
from callroute.app_context import AppContext
from callroute.console.service import SignIn, Viewer

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")

SESSION_COOKIE = "callroute_session"
# Pages show a project's data: never cached, never framed by another site, nothing loaded
# from anywhere but this server.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; media-src 'self'; frame-ancestors 'none'"
)


def secure(ctx: AppContext) -> bool:
    return ctx.settings.public_url.startswith("https://")


async def form_fields(request: Request) -> dict[str, str]:
    """An url-encoded form's fields (the first value of each)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return {key: values[0] for key, values in parse_qs(body, keep_blank_values=True).items()}


async def form_lists(request: Request) -> dict[str, list[str]]:
    """An url-encoded form's fields with every value (checkboxes, repeated selects)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return parse_qs(body, keep_blank_values=True)


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    response = templates.TemplateResponse(request, name, context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


async def viewer_of(request: Request, session: Session, clock: ClockDep) -> Viewer | None:
    return await SignIn(session).viewer(request.cookies.get(SESSION_COOKIE), clock.now())


def to_sign_in() -> RedirectResponse:
    return RedirectResponse("/sign-in", status_code=303)


def csrf_ok(viewer: Viewer, fields: dict[str, str] | dict[str, list[str]]) -> bool:
    """The form carries the session's CSRF token."""
    sent = fields.get("csrf_token", "")
    if isinstance(sent, list):
        sent = sent[0] if sent else ""
    return secrets.compare_digest(viewer.csrf_token, sent)


def refused(request: Request, viewer: Viewer, status: int, message: str) -> HTMLResponse:
    return page(request, "refused.html", status, viewer=viewer, message=message)
