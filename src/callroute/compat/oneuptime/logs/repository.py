"""The queries behind call logs and their items: the project's router calls and their legs,
with OneUptime's computed columns, filtered, sorted and paged in SQL.

Each OneUptime column is an SQL expression (``LOG_EXPRESSIONS``, ``ITEM_EXPRESSIONS``); the
statuses follow the table in :mod:`.documents`."""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from callroute.compat.oneuptime.logs.documents import STATUS_MESSAGES
from callroute.compat.oneuptime.query import Condition
from callroute.compat.oneuptime.query_repository import Expressions, order_by, where
from callroute.engine.callflow.fallback import NOBODY_AVAILABLE
from callroute.models import Call, CallLeg, Member, Router

CALLER_HUNG_UP = "caller hung up%"  # the reasons a call ends with when the caller left (LIKE)

_level = func.coalesce(Call.state["level"].as_integer(), 0)
_round = func.coalesce(Call.state["round"].as_integer(), 0)
_caller_left = and_(Call.status == "missed", Call.reason.like(CALLER_HUNG_UP))

LOG_STATUS = case(
    (Call.status.in_(("ringing", "in_menu")), "Initiated"),
    (and_(Call.status == "ringing_responders", or_(_level > 0, _round > 0)), "Escalated"),
    (Call.status == "ringing_responders", "Ringing"),
    (Call.status == "answered", "Connected"),
    (Call.status == "completed", "Completed"),
    (_caller_left, "CallerHungUp"),
    (and_(Call.status == "missed", Call.reason == NOBODY_AVAILABLE), "Failed"),
    (Call.status.in_(("missed", "voicemail")), "NoAnswer"),
    else_="Failed",
)
LOG_MESSAGE = case(
    *((Call.reason == ours, theirs) for ours, theirs in STATUS_MESSAGES.items()),
    else_=Call.reason,
)

LOG_EXPRESSIONS: dict[str, Any] = {
    "_id": Call.id,
    "createdAt": Call.started_at,
    "updatedAt": Call.updated_at,
    "projectId": Call.project_id,
    "incomingCallPolicyId": Call.router_id,
    "callerPhoneNumber": Call.from_number,
    "routingPhoneNumber": Call.to_number,
    "callProviderCallId": Call.provider_call_id,
    "status": LOG_STATUS,
    "statusMessage": LOG_MESSAGE,
    "startedAt": Call.started_at,
    "endedAt": Call.ended_at,
    "answeredByUserId": Call.answered_by_id,
    "currentEscalationRuleOrder": _level + 1,
    "repeatCount": _round,
}

ITEM_STATUS = case(
    (CallLeg.status.in_(("dialing", "ringing", "answered")), "Ringing"),
    (CallLeg.status.in_(("accepted", "completed")), "Connected"),
    (CallLeg.status == "busy", "Busy"),
    (CallLeg.status == "failed", "Failed"),
    (and_(CallLeg.status == "canceled", Call.reason.like(CALLER_HUNG_UP)), "CallerHungUp"),
    else_="NoAnswer",
)
IS_ANSWERED = CallLeg.status.in_(("accepted", "completed"))

ITEM_EXPRESSIONS: dict[str, Any] = {
    "_id": CallLeg.id,
    "createdAt": CallLeg.started_at,
    "updatedAt": func.coalesce(CallLeg.ended_at, CallLeg.answered_at, CallLeg.started_at),
    "projectId": CallLeg.project_id,
    "incomingCallLogId": CallLeg.call_id,
    "userId": CallLeg.member_id,
    "userPhoneNumber": CallLeg.number,
    "status": ITEM_STATUS,
    "statusMessage": CallLeg.status,
    "startedAt": CallLeg.started_at,
    "endedAt": CallLeg.ended_at,
    "isAnswered": IS_ANSWERED,
}


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
