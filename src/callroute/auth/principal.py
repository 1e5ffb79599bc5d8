"""Who is calling: an API key resolved to its project and permissions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from callroute.api_keys.repository import ApiKeyLookup
from callroute.auth import keys
from callroute.auth.permissions import permissions_for
from callroute.db.session import is_readonly
from callroute.errors import RateLimited, Unauthorized

if TYPE_CHECKING:
    from callroute.app_context import AppContext
    from callroute.auth.ratelimit import FailureThrottle

# Writing last_used_at on every request would turn each read into a write; once a minute is
# precise enough to tell a live key from a forgotten one.
LAST_USED_PRECISION = timedelta(seconds=60)


@dataclass(frozen=True)
class Principal:
    project_id: uuid.UUID
    key_id: uuid.UUID
    role: str | None
    permissions: frozenset[str]

    def can(self, permission: str) -> bool:
        return permission in self.permissions


def presented_key(request: Request, *, allow_query_key: bool = False) -> str | None:
    """The key from ``Authorization: Bearer <key>`` or ``ApiKey: <key>`` (or ``?key=``)."""
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, value = authorization.strip().partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        return None
    api_key = request.headers.get("apikey")
    if not api_key and allow_query_key:
        api_key = request.query_params.get("key")
    return api_key.strip() if api_key and api_key.strip() else None


@dataclass(frozen=True)
class FailureGate:
    """The failed-authentication throttle of one client address, as the API's keys and the
    console's sign-in share it: one count of failures per address, whichever was tried."""

    throttle: FailureThrottle
    address: str
    allowed: int  # failures a minute (CALLROUTE_AUTH_FAILURES_PER_MINUTE)

    def wait(self) -> int | None:
        """Seconds to wait before trying again, or None when the address may try now."""
        return self.throttle.wait(self.address, self.allowed)

    def failed(self) -> None:
        self.throttle.failed(self.address, self.allowed)


def failure_gate(request: Request, ctx: AppContext) -> FailureGate:
    assert ctx.rate_limiter is not None
    address = request.client.host if request.client else "unknown"
    return FailureGate(ctx.rate_limiter.failures, address, ctx.settings.auth_failures_per_minute)


async def authenticate(
    request: Request,
    ctx: AppContext,
    *,
    allow_query_key: bool = False,
    session: AsyncSession | None = None,
) -> Principal:
    """The principal of the presented key. The key is read on ``session`` when one is given
    (the request's transaction), else in a short transaction of its own."""
    key = presented_key(request, allow_query_key=allow_query_key)
    if key is None:
        raise Unauthorized("missing API key; send `Authorization: Bearer <key>` or `ApiKey: <key>`")
    assert ctx.rate_limiter is not None
    gate = failure_gate(request, ctx)
    wait = gate.wait()
    if wait is not None:
        raise RateLimited(
            f"too many failed authentications from this address; retry in {wait} s",
            retry_after=wait,
        )
    prefix = keys.prefix_of(key)
    row = None
    if prefix is not None and session is not None:
        row = await ApiKeyLookup(session).by_prefix(prefix)
    elif prefix is not None:
        async with ctx.db.unit_of_work(readonly=True) as own:
            row = await ApiKeyLookup(own).by_prefix(prefix)
    if row is None or not keys.matches(key, row.key_hash):
        gate.failed()
        raise Unauthorized("invalid API key")
    now = ctx.clock.now()
    if row.revoked_at is not None:
        raise Unauthorized("this API key has been revoked")
    if row.expires_at is not None and row.expires_at <= now:
        raise Unauthorized(f"this API key expired at {row.expires_at.isoformat()}")
    wait = ctx.rate_limiter.check(row.prefix)
    if wait is not None:
        raise RateLimited(
            f"rate limit of {ctx.rate_limiter.per_minute} requests per minute exceeded",
            retry_after=wait,
        )
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION:
        if session is not None and not is_readonly(session):
            # On the request's own transaction: a second writer would wait for this one's
            # lock on SQLite. A request that fails then does not count as a use.
            await ApiKeyLookup(session).touch(row.id, now)
        else:
            async with ctx.db.unit_of_work() as own:
                await ApiKeyLookup(own).touch(row.id, now)
    return Principal(
        project_id=row.project_id,
        key_id=row.id,
        role=row.role,
        permissions=permissions_for(row.role, row.permissions),
    )
