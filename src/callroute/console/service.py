"""Signing in to the console, its sessions, and what the overview shows."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.alerts.repository import AlertRepository
from callroute.auth.permissions import permissions_for
from callroute.calls.coverage import rung_now
from callroute.calls.repository import CallRepository
from callroute.calls.schemas import CallListQuery
from callroute.console import live, passwords
from callroute.console.repository import OverviewRepository, SignInRepository
from callroute.db.pagination import parse_sort
from callroute.db.revisions import config_revision
from callroute.models import Alert, Call, CallLeg, ConsoleSession, Member, Project, Recording
from callroute.simulated_calls.narrate import in_words, leg_label
from callroute.validation import error_message, found

SESSION_LIFETIME = timedelta(hours=12)
OUTCOMES = ("completed", "voicemail", "missed", "rejected", "failed")


@dataclass(frozen=True)
class Viewer:
    """The signed-in member, as the pages need them."""

    member_id: uuid.UUID
    name: str
    project_id: uuid.UUID
    project_name: str
    role: str
    permissions: frozenset[str]
    csrf_token: str

    def can(self, permission: str) -> bool:
        return permission in self.permissions


@dataclass(frozen=True)
class Choice:
    """Someone to ring now, or nobody: one level of one of a router's choices."""

    label: str  # "Level 1", "Menu 2 · Level 1"
    people: tuple[str, ...]  # names of who would be rung now at this level


@dataclass
class RouterView:
    id: uuid.UUID
    name: str
    enabled: bool
    numbers: list[str]
    levels: list[Choice] = field(default_factory=list)
    rings: bool = False  # it rings people (not only forward/bot/message/voicemail)

    @property
    def nobody(self) -> bool:
        return self.rings and not any(level.people for level in self.levels)


@dataclass
class Overview:
    routers: list[RouterView]
    calls: dict[str, int]  # last 24 h, by outcome (and "in progress")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SignIn:
    def __init__(self, session: AsyncSession) -> None:
        self.repo = SignInRepository(session)

    async def authenticate(self, email: str, password: str) -> list[tuple[Member, Project]]:
        """The member accounts (one per project) this e-mail and password open; empty when
        neither matches. Every candidate is checked, so the time taken does not depend on
        which of the two was wrong."""
        candidates = await self.repo.members_with_email(email.strip())
        if not candidates:
            passwords.verify(None, password)
            return []
        return [
            (mem, proj) for mem, proj in candidates if passwords.verify(mem.password_hash, password)
        ]

    async def start(self, member: Member, now: datetime) -> str:
        """A new session for ``member``; returns the cookie's token (kept only hashed)."""
        await self.repo.end_expired(now)
        token = secrets.token_urlsafe(32)
        await self.repo.add_session(
            ConsoleSession(
                project_id=member.project_id,
                member_id=member.id,
                token_hash=token_hash(token),
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                expires_at=now + SESSION_LIFETIME,
            )
        )
        return token

    async def viewer(self, token: str | None, now: datetime) -> Viewer | None:
        if not token:
            return None
        found = await self.repo.session_by_token(token_hash(token), now)
        if found is None:
            return None
        row, member, project = found
        return Viewer(
            member_id=member.id,
            name=member.name,
            project_id=project.id,
            project_name=project.name,
            role=member.role,
            permissions=permissions_for(member.role, None),
            csrf_token=row.csrf_token,
        )

    async def end(self, token: str) -> None:
        await self.repo.end_session(token_hash(token))


async def set_password(session: AsyncSession, member: Member, password: str) -> None:
    member.password_hash = passwords.hash_password(password)
    await session.flush()


async def overview(session: AsyncSession, project_id: uuid.UUID, now: datetime) -> Overview:
    repo = OverviewRepository(session, project_id)
    numbers = await repo.numbers_by_router()
    revision = await config_revision(session)
    views = []
    for router in await repo.routers():
        view = RouterView(router.id, router.name, router.enabled, numbers.get(router.id, []))
        levels = await rung_now(session, project_id, router.id, revision, now)
        if levels is not None:
            view.rings = True
            view.levels = [Choice(lv.label, tuple(p.name for p in lv.people)) for lv in levels]
        views.append(view)
    calls = await repo.calls_by_status(now)
    shown = {outcome: calls.get(outcome, 0) for outcome in OUTCOMES}
    shown["in progress"] = sum(v for k, v in calls.items() if k not in OUTCOMES)
    return Overview(views, shown)


# -- the call log ------------------------------------------------------------------------------

CALL_STATUSES = (
    "ringing",
    "in_menu",
    "ringing_responders",
    "answered",
    "completed",
    "missed",
    "voicemail",
    "rejected",
    "failed",
)


@dataclass(frozen=True)
class Line:
    at: datetime
    text: str


@dataclass(frozen=True)
class CallPage:
    call: Call
    legs: list[CallLeg]
    recordings: list[Recording]
    lines: list[Line]
    alert: Alert | None = None
    phase: str | None = None  # what is happening now, while the call is in progress


@dataclass
class CallLog:
    calls: list[Call]
    routers: list[tuple[uuid.UUID, str]]  # to filter by
    chosen: dict[str, str]  # the filters as typed
    errors: dict[str, str]  # the API's message, by filter


# The log's filters: the form's field -> the API's query parameter (GET /api/v1/calls).
CALL_FILTERS = {
    "router": "router_id",
    "status": "status",
    "number": "number",
    "from": "started_after",
    "until": "started_before",
}


def messages_by_field(
    exc: ValidationError, fields: Mapping[str, str], default: str
) -> dict[str, str]:
    """The API's messages for a refused form, by the form field each is about: ``fields``
    maps the API's name (the first part of an error's location) to the form's; an error about
    anything else goes beside ``default``. The first message of a field is kept."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        top = str(error["loc"][0]) if error["loc"] else ""
        message = error_message(dict(error))
        errors.setdefault(fields.get(top, default), f"{where}: {message}" if where else message)
    return errors


async def call_log(
    session: AsyncSession, project_id: uuid.UUID, typed: dict[str, str], limit: int = 50
) -> CallLog:
    """The newest calls that match the filters, read as the API's call list reads them (the
    API's validation included: a bad filter gets its message and no calls)."""
    chosen = {name: typed.get(name, "").strip() for name in CALL_FILTERS}
    query = {CALL_FILTERS[name]: value for name, value in chosen.items() if value}
    for name in ("started_after", "started_before"):
        if name in query and len(query[name]) <= 16:  # a datetime-local input: UTC, as shown
            query[name] += ":00+00:00"
    routers = [(r.id, r.name) for r in await OverviewRepository(session, project_id).routers()]
    try:
        parsed = CallListQuery.model_validate({**query, "limit": limit})
    except ValidationError as exc:
        wanted = {api: form for form, api in CALL_FILTERS.items()}
        return CallLog([], routers, chosen, messages_by_field(exc, wanted, "status"))
    page = await CallRepository(session, project_id).page(
        parsed.filters(), parse_sort("-started_at"), None, limit
    )
    return CallLog(list(page.rows), routers, chosen, {})


async def find_call(session: AsyncSession, project_id: uuid.UUID, call_id: str) -> Call:
    """One of the project's calls; another project's, or none, is not found."""
    return await found(CallRepository(session, project_id), call_id, "call")


async def call_page(session: AsyncSession, project_id: uuid.UUID, call_id: str) -> CallPage:
    """A call with its legs, recordings and its timeline in words (people's names, not leg
    ids). Another project's call is not found."""
    repo = CallRepository(session, project_id)
    call = await found(repo, call_id, "call")
    legs = await repo.legs(call.id)
    names = {leg.leg_key: leg_label(leg.member_name, leg.number) for leg in legs}
    events = await repo.events(call.id, {}, parse_sort("sequence"), None, 500)
    lines = []
    for entry in events.rows:
        text = in_words(entry.kind, dict(entry.detail), names)
        if text is not None:
            lines.append(Line(entry.at, text))
    alert = await AlertRepository(session, project_id).for_call(call.id)
    phase = (
        live.live_call(call, None, call.started_at).phase if live.in_progress(call.status) else None
    )
    return CallPage(call, legs, await repo.recordings(call.id), lines, alert, phase)
