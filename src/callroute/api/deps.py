"""FastAPI dependencies: the app context, the request's unit of work, the caller's identity."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.app_context import AppContext
from callroute.auth.principal import Principal, authenticate
from callroute.clock import Clock
from callroute.errors import Forbidden

# Routers carry the full path in their own prefix (rather than gaining it when included), so
# every route knows its complete template: metrics and logs label requests by it.
API_PREFIX = "/api/v1"


def get_ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


# Dependencies are coroutines even when they do not await: FastAPI runs a plain function in a
# worker thread, a hand-off that costs more than the function itself.
async def _ctx_dependency(request: Request) -> AppContext:
    return get_ctx(request)


async def get_clock(request: Request) -> Clock:
    return get_ctx(request).clock


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed before the response is sent, rolled back on error.

    Reads (GET/HEAD) run in a read-only unit of work so they never take SQLite's write lock.
    """
    readonly = request.method in ("GET", "HEAD")
    async with get_ctx(request).db.unit_of_work(readonly=readonly) as session:
        yield session


# scope="function": the commit happens before the response goes out, so a failed commit is
# reported to the client instead of being hidden behind an already-sent 2xx.
Session = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_principal(
    request: Request, *, allow_query_key: bool = False, session: AsyncSession | None = None
) -> Principal:
    """The caller's identity, read on ``session`` (the request's own transaction) when given:
    one connection and one transaction per request instead of two."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    principal = await authenticate(
        request, get_ctx(request), allow_query_key=allow_query_key, session=session
    )
    request.state.principal = principal
    return principal


# The dependencies made by ``require(..., allow_query_key=True)``: the OpenAPI document lists
# the ``?key=`` query parameter as one more way to authenticate their operations.
QUERY_KEY_DEPENDENCIES: set[Callable[..., Any]] = set()


def require(
    permission: str, *, allow_query_key: bool = False
) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency that authenticates the caller and checks one permission.

    ``allow_query_key`` also accepts the key as ``?key=``, for calendar feeds: calendar apps
    subscribe by URL and cannot send headers.
    """

    async def dependency(request: Request, session: Session) -> Principal:
        principal = await get_principal(request, allow_query_key=allow_query_key, session=session)
        if not principal.can(permission):
            raise Forbidden(f"this API key lacks the {permission!r} permission")
        return principal

    dependency.__name__ = f"require_{permission.replace(':', '_')}"
    if allow_query_key:
        QUERY_KEY_DEPENDENCIES.add(dependency)
    return dependency


Ctx = Annotated[AppContext, Depends(_ctx_dependency)]
ClockDep = Annotated[Clock, Depends(get_clock)]
