"""The configuration revision: one counter that every change to routing configuration moves.

The inbound-call path keeps what it compiled from the configuration (a router's pipeline, its
escalation policy, the schedules and people behind it) per process, and reads only this counter
to know whether that is still current. So that no change can slip past it, the counter is moved
here, by the session itself, not by each service: any flush that adds, changes or deletes a row
of a configuration table, and any bulk INSERT/UPDATE/DELETE on one, moves it in the same
transaction. Tables that calls write while they run are not configuration; neither are the
contacts (looked up per call) nor API keys (their use is recorded every minute).

The counter is read before the configuration it guards, in the same transaction, so a process
can only ever tag what it compiled with a revision older than, or equal to, what it read.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from callroute.models import Revision

CONFIG = "config"

# Everything else is configuration, including tables added later: forgetting to list a new
# runtime table here costs needless recompiles, never a stale call.
NOT_CONFIG: frozenset[str] = frozenset(
    {
        "revisions",
        "calls",
        "call_legs",
        "call_effects",
        "call_events",
        "recordings",
        "alerts",
        "timers",
        "inbox_events",
        "webhook_deliveries",
        "api_keys",
        "contacts",
        "contact_phones",
    }
)

_MOVED = "callroute_config_revision_moved"


def _table_name(obj: Any) -> str | None:
    table = getattr(obj, "__table__", None)
    return getattr(table, "name", None)


def _move(session: Session) -> None:
    if session.info.get(_MOVED):
        return  # once per transaction: its changes become visible together, at commit
    session.info[_MOVED] = True
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(Revision).values(name=CONFIG, value=1)
    # An upsert, so that a missing row (an emptied database) is recreated rather than ignored.
    stmt = stmt.on_conflict_do_update(index_elements=["name"], set_={"value": Revision.value + 1})
    session.execute(stmt)


@event.listens_for(Session, "before_flush")
def _on_flush(session: Session, _context: UOWTransaction, _instances: object) -> None:
    for obj in chain(session.new, session.dirty, session.deleted):
        name = _table_name(obj)
        if name is not None and name not in NOT_CONFIG:
            _move(session)
            return


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name is not None and name not in NOT_CONFIG:
        _move(state.session)


@event.listens_for(Session, "after_transaction_end")
def _on_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction, not a savepoint
        session.info.pop(_MOVED, None)


async def config_revision(session: AsyncSession) -> int:
    value = await session.scalar(select(Revision.value).where(Revision.name == CONFIG))
    return int(value or 0)
