"""The ``call_effects`` table: provider requests recorded before they are made."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.ids import new_id
from callroute.models import Call, CallEffect

_EFFECTS: Table = CallEffect.__table__  # type: ignore[assignment]
_INSERT = insert(_EFFECTS)


@dataclass(frozen=True)
class Intent:
    """A recorded request, as the dispatch carries it between its transactions."""

    id: uuid.UUID
    key: str
    kind: str
    params: dict[str, Any]
    created_at: datetime


class EffectRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of_step(self, call_id: uuid.UUID, generation: int) -> list[CallEffect]:
        rows = await self.session.scalars(
            select(CallEffect)
            .where(CallEffect.call_id == call_id, CallEffect.generation == generation)
            .order_by(CallEffect.created_at, CallEffect.key)
        )
        return list(rows.all())

    async def record(
        self,
        call: Call,
        generation: int,
        effects: Sequence[tuple[str, str, dict[str, Any]]],
        now: datetime,
    ) -> list[Intent]:
        """Record (key, kind, params) intents; a key recorded already is not recorded again
        (and not returned)."""
        if not effects:
            return []
        taken = set(
            (
                await self.session.scalars(
                    select(CallEffect.key).where(
                        CallEffect.call_id == call.id,
                        CallEffect.key.in_([key for key, _, _ in effects]),
                    )
                )
            ).all()
        )
        rows: list[dict[str, Any]] = [
            {
                "id": new_id(),
                "project_id": call.project_id,
                "call_id": call.id,
                "key": key,
                "generation": generation,
                "kind": kind,
                "params": params,
                "status": "pending",
                "result": None,
                "created_at": now,
                "done_at": None,
            }
            for key, kind, params in effects
            if key not in taken
        ]
        if rows:
            connection = await self.session.connection()
            await connection.execute(_INSERT, rows)
        return [Intent(r["id"], r["key"], r["kind"], r["params"], now) for r in rows]

    async def complete(self, effect_id: uuid.UUID, result: dict[str, Any], now: datetime) -> bool:
        """Store a request's result; False when it was completed already (by another run)."""
        done = await self.session.execute(
            update(CallEffect)
            .where(CallEffect.id == effect_id, CallEffect.status == "pending")
            .values(status="done", result=result, done_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]


def intent_of(row: CallEffect) -> Intent:
    return Intent(row.id, row.key, row.kind, dict(row.params or {}), row.created_at)
