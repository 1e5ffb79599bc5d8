"""The queries behind call logs and their items: the project's router calls and their legs,
with OneUptime's computed columns, filtered, sorted and paged in SQL."""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from callroute.compat.oneuptime.logs.documents import (
    IS_ANSWERED,
    ITEM_EXPRESSIONS,
    ITEM_STATUS,
    LOG_EXPRESSIONS,
    LOG_MESSAGE,
    LOG_STATUS,
)
from callroute.compat.oneuptime.query import Condition
from callroute.compat.oneuptime.sql import Expressions, order_by, where
from callroute.models import Call, CallLeg, Member, Router


class Rows(ABC):
    expressions: Expressions

    def __init__(self, session: AsyncSession, project_id: uuid.UUID) -> None:
        self.session = session
        self.project_id = project_id

    @abstractmethod
    def _base(self) -> Select[Any]:
        """The project's rows, with the computed columns."""

    @property
    @abstractmethod
    def _id(self) -> Any: ...

    async def page(
        self,
        conditions: Sequence[Condition],
        sort: Sequence[tuple[str, bool]],
        skip: int,
        limit: int,
    ) -> tuple[int, list[Any]]:
        stmt = self._base().where(where(conditions, self.expressions))
        order = order_by(sort, self.expressions, self._id)
        rows = await self.session.execute(stmt.order_by(*order).offset(skip).limit(limit))
        return await self._count(stmt), list(rows.all())

    async def count(self, conditions: Sequence[Condition]) -> int:
        return await self._count(self._base().where(where(conditions, self.expressions)))

    async def by_id(self, row_id: uuid.UUID) -> Any | None:
        return (await self.session.execute(self._base().where(self._id == row_id))).first()

    async def _count(self, stmt: Select[Any]) -> int:
        return await self.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


class LogRows(Rows):
    """(call, status, status message, rule order, repeat count, router name, answerer name)."""

    expressions = LOG_EXPRESSIONS

    @property
    def _id(self) -> Any:
        return Call.id

    def _base(self) -> Select[Any]:
        answerer = aliased(Member)
        return (
            select(
                Call,
                LOG_STATUS,
                LOG_MESSAGE,
                LOG_EXPRESSIONS["currentEscalationRuleOrder"],
                LOG_EXPRESSIONS["repeatCount"],
                Router.name,
                answerer.name,
            )
            .join(Router, Router.id == Call.router_id)  # only calls a router handled
            .outerjoin(answerer, answerer.id == Call.answered_by_id)
            .where(Call.project_id == self.project_id, Call.direction == "inbound")
        )


class LogItemRows(Rows):
    """(leg, status, answered, call)."""

    expressions = ITEM_EXPRESSIONS

    @property
    def _id(self) -> Any:
        return CallLeg.id

    def _base(self) -> Select[Any]:
        return (
            select(CallLeg, ITEM_STATUS, IS_ANSWERED, Call)
            .join(Call, Call.id == CallLeg.call_id)
            .where(
                CallLeg.project_id == self.project_id,
                Call.project_id == self.project_id,
                Call.router_id.is_not(None),
                Call.direction == "inbound",
            )
        )
