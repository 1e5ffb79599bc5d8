"""Server-sent events for the live console pages: the page's live part drawn again on the
server and sent when it changed.

Each tick reads the database in a read-only unit of work of its own, so a stream holds no
connection nor transaction between ticks (and none while it waits on the browser). Any
process serving the console sees every call, whichever process or worker runs it. A stream
ends after ``console_stream_seconds`` (the browser's EventSource reconnects at once) and
whenever the session has ended (signed out, expired), which it checks at every tick.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.app_context import AppContext
from callroute.console.service import SignIn, Viewer
from callroute.console.web import SESSION_COOKIE, to_sign_in

KEEP_ALIVE_SECONDS = 15.0  # a comment line, so proxies do not close an idle stream

# Draws the live part for a viewer: its HTML, and whether it is final (the stream then ends).
Draw = Callable[[AsyncSession, Viewer], Awaitable[tuple[str, bool]]]
# Refuses a stream before it starts (a response), or lets it start (None).
Guard = Callable[[AsyncSession, Viewer], Awaitable[Response | None]]


def event(name: str, data: str) -> str:
    lines = data.splitlines() or [""]
    return f"event: {name}\n" + "".join(f"data: {line}\n" for line in lines) + "\n"


async def _events(request: Request, ctx: AppContext, draw: Draw) -> AsyncIterator[str]:
    token = request.cookies.get(SESSION_COOKIE)
    settings = ctx.settings
    ends = time.monotonic() + settings.console_stream_seconds
    last: str | None = None
    quiet_since = time.monotonic()
    yield "retry: 2000\n\n"  # reconnect after 2 s when the stream breaks
    while True:
        async with ctx.db.unit_of_work(readonly=True) as session:
            viewer = await SignIn(session).viewer(token, ctx.clock.now())
            if viewer is None:
                yield event("signed-out", "")
                return
            html, final = await draw(session, viewer)
        if html != last:
            yield event("update", html)
            last, quiet_since = html, time.monotonic()
        elif time.monotonic() - quiet_since > KEEP_ALIVE_SECONDS:
            yield ": keep-alive\n\n"
            quiet_since = time.monotonic()
        if final:
            yield event("done", "")
            return
        if time.monotonic() >= ends or await request.is_disconnected():
            return
        await asyncio.sleep(settings.console_poll_seconds)


async def stream(
    request: Request, ctx: AppContext, draw: Draw, guard: Guard | None = None
) -> Response:
    """The stream, for a signed-in member; anyone else is sent to sign in, like every page.
    ``guard`` may refuse it first (what it follows is not the member's project's)."""
    async with ctx.db.unit_of_work(readonly=True) as session:
        viewer = await SignIn(session).viewer(request.cookies.get(SESSION_COOKIE), ctx.clock.now())
        refused = None if viewer is None or guard is None else await guard(session, viewer)
    if viewer is None:
        return to_sign_in()
    if refused is not None:
        return refused
    return StreamingResponse(
        _events(request, ctx, draw),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
