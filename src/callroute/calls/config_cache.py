"""What the inbound-call path keeps per process between calls.

Reading a router's pipeline, its escalation policy and the schedules, teams and people behind
it costs a dozen queries and the compilation of every schedule. None of it changes from one
call to the next, so a process keeps the compiled :class:`RouterSource` and the project's
webhook subscribers, tagged with the configuration revision they were read at
(db/revisions.py). Every call reads the current revision (one indexed row, in the same query
that finds the dialled number) and uses what it keeps only when the two match; any change to
the configuration, made by any process, moves the revision and so is seen by the next call.

A source also answers only for a bounded window of time (the overrides it loaded cover that
window), after which it is read again; that bound also limits how long a change made behind
callroute's back (by hand, in SQL) can go unseen.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Hashable
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.calls.snapshot import RouterSource, load_source
from callroute.models import Router
from callroute.outgoing_webhooks import delivery as webhooks

SOURCE_LIFETIME = timedelta(minutes=5)
MAX_ENTRIES = 4096

V = TypeVar("V")


class _Lru(Generic[V]):
    """A bounded map, least recently used out first; entries carry their revision."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, tuple[int, V]] = OrderedDict()

    def get(self, key: Hashable, revision: int) -> V | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] != revision:
            return None
        self._entries.move_to_end(key)
        return entry[1]

    def put(self, key: Hashable, revision: int, value: V) -> None:
        self._entries[key] = (revision, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


_SOURCES: _Lru[RouterSource] = _Lru(MAX_ENTRIES)
_SUBSCRIBERS: _Lru[tuple[webhooks.Subscriber, ...]] = _Lru(MAX_ENTRIES)


def _database(session: AsyncSession) -> str:
    # Keys name the database too: one process may talk to several (tests, tools).
    return str(session.get_bind().engine.url)


async def router_source(
    session: AsyncSession,
    project_id: uuid.UUID,
    router_id: uuid.UUID,
    revision: int,
    now: datetime,
) -> RouterSource | None:
    """The router's compiled source for a call at ``now``; None when the router is gone."""
    key = (_database(session), router_id)
    source = _SOURCES.get(key, revision)
    if source is not None and source.valid_from <= now < source.valid_until:
        return source
    router = await session.get(Router, router_id)
    if router is None or router.project_id != project_id:
        return None
    source = await load_source(session, project_id, router, now, now + SOURCE_LIFETIME, revision)
    _SOURCES.put(key, revision, source)
    return source


async def subscribers(
    session: AsyncSession, project_id: uuid.UUID, revision: int
) -> tuple[webhooks.Subscriber, ...]:
    key = (_database(session), project_id)
    cached = _SUBSCRIBERS.get(key, revision)
    if cached is None:
        cached = tuple(await webhooks.subscriptions_of(session, project_id))
        _SUBSCRIBERS.put(key, revision, cached)
    return cached


def forget_all() -> None:
    """Drop everything kept (for tools that change the database behind callroute's back)."""
    _SOURCES.clear()
    _SUBSCRIBERS.clear()
