"""The timers table: arm, claim, finish, reap.

A timer is written in the same transaction as the state change that needs it. A worker claims
due rows with a conditional UPDATE that sets a lease (plus FOR UPDATE SKIP LOCKED on
PostgreSQL, so concurrent workers never wait on each other); it deletes the row in the same
transaction as the row's effect, and only while it still holds the lease. A worker that dies
leaves a lease that expires: the reaper clears it and another worker takes the row. The
auditor's question (which calls have no timer left to move them on) is asked here too.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, case, delete, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.db.dialect import dialect_of
from callroute.ids import new_id
from callroute.models import Call, Timer
from callroute.models.call import CallOrigin

DEFAULT_LEASE = timedelta(seconds=30)
_TIMERS: Table = Timer.__table__  # type: ignore[assignment]
# Built once per dialect and reused: building and hashing a statement costs more than running it.
_INSERT = {
    "postgresql": pg_insert(_TIMERS).on_conflict_do_nothing(index_elements=["dedupe_key"]),
    "sqlite": sqlite_insert(_TIMERS).on_conflict_do_nothing(index_elements=["dedupe_key"]),
}


@dataclass(frozen=True)
class Claimed:
    id: uuid.UUID
    kind: str
    call_id: uuid.UUID | None
    payload: dict[str, Any]
    due_at: datetime
    attempts: int


def timer_row(
    kind: str,
    due_at: datetime,
    now: datetime,
    *,
    call_id: uuid.UUID | None = None,
    payload: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "kind": kind,
        "call_id": call_id,
        "payload": payload or {},
        "due_at": due_at,
        "dedupe_key": dedupe_key,
        "attempts": 0,
        "created_at": now,
    }


class TimerBatch:
    """Timers gathered during a step and written by one INSERT at its end: a step arms
    several (the engine's, the dispatch of its commands, webhook deliveries)."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def arm(self, kind: str, due_at: datetime, now: datetime, **fields: Any) -> None:
        self.rows.append(timer_row(kind, due_at, now, **fields))

    async def write(self, session: AsyncSession) -> None:
        if self.rows:
            await TimerStore(session).insert(self.rows)
            self.rows = []


class TimerStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert(self, rows: list[dict[str, Any]]) -> None:
        """Add timers in one statement; a row whose ``dedupe_key`` exists already is skipped.

        On the connection, not through the ORM session (whose statement path costs several
        times more): pending ORM rows are flushed first, as the session would, since a timer
        may reference a call added in the same transaction."""
        await self.session.flush()
        connection = await self.session.connection()
        await connection.execute(_INSERT[connection.dialect.name], rows)

    async def arm(
        self,
        kind: str,
        due_at: datetime,
        now: datetime,
        *,
        call_id: uuid.UUID | None = None,
        payload: dict[str, Any] | None = None,
        dedupe_key: str | None = None,
    ) -> None:
        """Add a timer; with a ``dedupe_key`` that exists already, add nothing."""
        row = timer_row(kind, due_at, now, call_id=call_id, payload=payload, dedupe_key=dedupe_key)
        await self.insert([row])

    async def claim(
        self,
        worker: str,
        now: datetime,
        limit: int,
        lease: timedelta = DEFAULT_LEASE,
        *,
        call_id: uuid.UUID | None = None,
    ) -> list[Claimed]:
        """Claim up to ``limit`` due timers (of one call only, with ``call_id``)."""
        due = (
            select(Timer.id)
            .where(Timer.due_at <= now, Timer.claimed_by.is_(None))
            .order_by(Timer.due_at)
            .limit(limit)
        )
        if call_id is not None:
            due = due.where(Timer.call_id == call_id)
        if dialect_of(self.session) == "postgresql":
            # A materialized CTE: as an IN (subquery), PostgreSQL may evaluate the LIMIT ... SKIP
            # LOCKED subquery again for every row it updates, and claim far more than ``limit``.
            picked = due.with_for_update(skip_locked=True).cte("due").prefix_with("MATERIALIZED")
            chosen = Timer.id == picked.c.id
        else:
            chosen = Timer.id.in_(due.scalar_subquery())
        rows = await self.session.execute(
            update(Timer)
            .where(chosen, Timer.claimed_by.is_(None))
            .values(claimed_by=worker, claimed_until=now + lease, attempts=Timer.attempts + 1)
            .returning(
                Timer.id, Timer.kind, Timer.call_id, Timer.payload, Timer.due_at, Timer.attempts
            )
            .execution_options(synchronize_session=False)
        )
        claimed = [Claimed(*row) for row in rows.all()]
        claimed.sort(key=lambda c: c.due_at)
        return claimed

    async def finish(self, timer_id: uuid.UUID, worker: str) -> bool:
        """Delete a claimed timer; False when the lease was lost (someone else owns it now)."""
        result = await self.session.execute(
            delete(Timer).where(Timer.id == timer_id, Timer.claimed_by == worker)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def renew(self, timer_id: uuid.UUID, worker: str, until: datetime) -> bool:
        """Extend a claim this worker still holds; False when it holds it no longer."""
        result = await self.session.execute(
            update(Timer)
            .where(Timer.id == timer_id, Timer.claimed_by == worker)
            .values(claimed_until=until)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def release(self, timer_id: uuid.UUID, worker: str, due_at: datetime) -> None:
        """Give a claimed timer back, to be tried again at ``due_at``."""
        await self.session.execute(
            update(Timer)
            .where(Timer.id == timer_id, Timer.claimed_by == worker)
            .values(claimed_by=None, claimed_until=None, due_at=due_at)
        )

    async def postpone(self, call_id: uuid.UUID, dedupe_key: str, not_before: datetime) -> bool:
        """Move a call's timer to ``not_before`` if it was due earlier — claimed or not: a
        worker that claimed it sees the new time before acting (:meth:`waits`)."""
        result = await self.session.execute(
            update(Timer)
            .where(
                Timer.call_id == call_id,
                Timer.dedupe_key == dedupe_key,
                Timer.due_at < not_before,
            )
            .values(due_at=not_before)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def waits(self, timer: Claimed, now: datetime) -> bool:
        """Whether a claimed engine timer must wait: a dispatch of its call that fell due
        before it is still to be carried out (its commands are not with the provider yet), or
        it was postponed since it was claimed. One query."""
        assert timer.call_id is not None
        found = await self.session.scalar(
            select(Timer.id)
            .where(
                Timer.call_id == timer.call_id,
                or_(
                    and_(Timer.kind == "dispatch", Timer.due_at <= timer.due_at),
                    and_(Timer.id == timer.id, Timer.due_at > now),
                ),
            )
            .limit(1)
        )
        return found is not None

    async def defer(self, timer_id: uuid.UUID, worker: str, retry_at: datetime) -> None:
        """Give a claimed timer back without counting an attempt: it is due again at
        ``retry_at``, or later if it was postponed meanwhile."""
        await self.session.execute(
            update(Timer)
            .where(Timer.id == timer_id, Timer.claimed_by == worker)
            .values(
                claimed_by=None,
                claimed_until=None,
                attempts=Timer.attempts - 1,
                due_at=case((Timer.due_at > retry_at, Timer.due_at), else_=retry_at),
            )
        )

    async def reap(self, now: datetime) -> int:
        """Clear the leases of workers that died holding them."""
        result = await self.session.execute(
            update(Timer)
            .where(Timer.claimed_by.is_not(None), Timer.claimed_until < now)
            .values(claimed_by=None, claimed_until=None)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def drop_for_call(
        self, call_id: uuid.UUID, kind: str, keep_keys: Sequence[str] = ()
    ) -> None:
        """Delete a call's unclaimed timers of ``kind`` except those with the given keys."""
        stmt = delete(Timer).where(
            Timer.call_id == call_id, Timer.kind == kind, Timer.claimed_by.is_(None)
        )
        if keep_keys:
            stmt = stmt.where(
                or_(Timer.dedupe_key.is_(None), Timer.dedupe_key.not_in(list(keep_keys)))
            )
        await self.session.execute(stmt)

    async def drop_matching(
        self, call_id: uuid.UUID, kind: str, key: str, values: Collection[str]
    ) -> None:
        """Delete a call's unclaimed timers whose payload holds one of ``values`` under
        ``key``: one read of the call's few timers, whatever the number of values."""
        wanted = set(values)
        if not wanted:
            return
        rows = await self.session.scalars(
            select(Timer).where(
                Timer.call_id == call_id, Timer.kind == kind, Timer.claimed_by.is_(None)
            )
        )
        for timer in rows:
            if timer.payload.get(key) in wanted:
                await self.session.delete(timer)

    async def payloads(self, call_id: uuid.UUID, kind: str) -> list[dict[str, Any]]:
        """The payloads of a call's timers of ``kind`` (claimed or not)."""
        rows = await self.session.scalars(
            select(Timer.payload).where(Timer.call_id == call_id, Timer.kind == kind)
        )
        return [dict(payload) for payload in rows]

    async def next_due(self, *, call_id: uuid.UUID | None = None) -> datetime | None:
        stmt = select(func.min(Timer.due_at)).where(Timer.claimed_by.is_(None))
        if call_id is not None:
            stmt = stmt.where(Timer.call_id == call_id)
        due: datetime | None = await self.session.scalar(stmt)
        return due

    async def calls_without_work(
        self, kinds: Collection[str], *, final: Collection[str], limit: int
    ) -> list[Call]:
        """Calls still going (not in a ``final`` status) that have no timer of ``kinds``."""
        rows = await self.session.scalars(
            select(Call)
            .where(
                # A logged call has no timers by nature: it is not stuck, and must not take
                # the places of calls that are.
                Call.origin == CallOrigin.ROUTED.value,
                Call.status.not_in(final),
                ~exists().where(Timer.call_id == Call.id, Timer.kind.in_(kinds)),
            )
            .limit(limit)
        )
        return list(rows.all())

    async def first_due(self, call_id: uuid.UUID) -> datetime | None:
        """When the call's earliest timer is due, claimed or not."""
        due: datetime | None = await self.session.scalar(
            select(func.min(Timer.due_at)).where(Timer.call_id == call_id)
        )
        return due

    async def backlog(self, now: datetime) -> tuple[dict[str, int], datetime | None]:
        """Timers due and not claimed, by kind, and when the oldest of them fell due."""
        rows = await self.session.execute(
            select(Timer.kind, func.count(), func.min(Timer.due_at))
            .where(Timer.due_at <= now, Timer.claimed_by.is_(None))
            .group_by(Timer.kind)
        )
        counts: dict[str, int] = {}
        oldest: datetime | None = None
        for kind, count, due in rows.all():
            counts[str(kind)] = int(count)
            oldest = due if oldest is None or due < oldest else oldest
        return counts, oldest

    async def count(self, *, call_id: uuid.UUID | None = None) -> int:
        stmt = select(func.count()).select_from(Timer)
        if call_id is not None:
            stmt = stmt.where(Timer.call_id == call_id)
        return int(await self.session.scalar(stmt) or 0)


def engine_key(call_id: uuid.UUID, kind: str, token: str) -> str:
    return f"engine:{call_id}:{kind}:{token}"
