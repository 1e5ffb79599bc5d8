"""Incoming call logs and their items, read from the call records the engine keeps.

Only calls a router handled are logs (OneUptime logs only calls to a policy's number). What
OneUptime leaves unset is filled here: who answered, how long the call and each dial lasted,
and the cost when the provider reported one.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.auth.principal import Principal
from callroute.clock import Clock
from callroute.compat.oneuptime.listing import ListRequest
from callroute.compat.oneuptime.logs.documents import ITEM_NOUN, LOG_NOUN
from callroute.compat.oneuptime.logs.repository import LogItemRows, LogRows, Rows
from callroute.compat.oneuptime.query import Condition
from callroute.compat.oneuptime.repository import OneUptimeRepository
from callroute.compat.oneuptime.translate import not_found
from callroute.compat.oneuptime.wire import JSON
from callroute.ids import parse_id
from callroute.models import Call, EscalationPolicy


def _cents(price: str | None, unit: str | None) -> float | None:
    """A provider's price (a decimal string, negative for a charge at Twilio) in US cents."""
    if price is None or unit != "USD":
        return None
    try:
        return float(abs(Decimal(price)) * 100)
    except InvalidOperation:
        return None


def _seconds(start: Any, end: Any) -> int:
    return int((end - start).total_seconds()) if start is not None and end is not None else 0


class _SqlCollection(ABC):
    noun: str

    def __init__(self, session: AsyncSession, principal: Principal, clock: Clock) -> None:
        self.session = session
        self.project_id = principal.project_id
        self.rows = self._rows()

    @abstractmethod
    def _rows(self) -> Rows: ...

    @abstractmethod
    async def _documents(self, rows: list[Any]) -> list[JSON]: ...

    async def page(self, request: ListRequest) -> tuple[int, list[JSON]]:
        total, rows = await self.rows.page(
            request.conditions, request.sort, request.skip, request.limit
        )
        return total, await self._documents(rows)

    async def count(self, conditions: list[Condition]) -> int:
        return await self.rows.count(conditions)

    async def get(self, ref: str) -> JSON:
        row_id = parse_id(ref)
        row = await self.rows.by_id(row_id) if row_id is not None else None
        if row is None:
            raise not_found(self.noun, ref)
        return (await self._documents([row]))[0]


class LogCollection(_SqlCollection):
    noun = LOG_NOUN

    def _rows(self) -> Rows:
        return LogRows(self.session, self.project_id)

    async def _documents(self, rows: list[Any]) -> list[JSON]:
        return [
            {
                "_id": call.id,
                "createdAt": call.started_at,
                "updatedAt": call.updated_at,
                "projectId": call.project_id,
                "incomingCallPolicyId": call.router_id,
                "incomingCallPolicy": {"_id": call.router_id, "name": router_name},
                "callerPhoneNumber": call.from_number,
                "routingPhoneNumber": call.to_number,
                "callProviderCallId": call.provider_call_id,
                "status": status,
                "statusMessage": message,
                "callDurationInSeconds": _seconds(call.started_at, call.ended_at),
                "callCostInUSDCents": _cents(call.price, call.price_unit),
                "incomingCallCostInUSDCents": None,
                "outgoingCallCostInUSDCents": None,
                "startedAt": call.started_at,
                "endedAt": call.ended_at,
                "answeredByUserId": call.answered_by_id,
                "answeredByUser": (
                    {"_id": call.answered_by_id, "name": answerer} if call.answered_by_id else None
                ),
                "currentEscalationRuleOrder": order,
                "repeatCount": repeats,
            }
            for call, status, message, order, repeats, router_name, answerer in rows
        ]


class LogItemCollection(_SqlCollection):
    noun = ITEM_NOUN

    def _rows(self) -> Rows:
        return LogItemRows(self.session, self.project_id)

    async def _documents(self, rows: list[Any]) -> list[JSON]:
        rules = await self._rules({call.id: call for *_, call in rows}.values())
        return [
            {
                "_id": leg.id,
                "createdAt": leg.started_at,
                "updatedAt": leg.ended_at or leg.answered_at or leg.started_at,
                "projectId": leg.project_id,
                "incomingCallLogId": leg.call_id,
                "incomingCallPolicyEscalationRuleId": rules.get((call.id, leg.level)),
                "userId": leg.member_id,
                "user": {"_id": leg.member_id, "name": leg.member_name} if leg.member_id else None,
                "userPhoneNumber": leg.number,
                "status": status,
                "statusMessage": leg.status,
                "dialDurationInSeconds": _seconds(leg.answered_at, leg.ended_at),
                "callCostInUSDCents": _cents(leg.price, leg.price_unit),
                "startedAt": leg.started_at,
                "endedAt": leg.ended_at,
                "isAnswered": bool(answered),
            }
            for leg, status, answered, call in rows
        ]

    async def _rules(self, calls: Any) -> dict[tuple[uuid.UUID, int], uuid.UUID]:
        """(call, level index) → the rule rung, when the rules are provably the ones the call
        started with: unchanged since, and as many as the call's snapshot had."""
        wanted: dict[uuid.UUID, list[Call]] = {}
        for call in calls:
            action = (call.state or {}).get("action") or {}
            policy_id = parse_id(str(action.get("target_id")))
            if action.get("target_type") == "escalation_policy" and policy_id is not None:
                wanted.setdefault(policy_id, []).append(call)
        repo = OneUptimeRepository(self.session, self.project_id)
        found: dict[tuple[uuid.UUID, int], uuid.UUID] = {}
        for policy_id, policy in (await repo.policies(set(wanted))).items():
            for call in wanted[policy_id]:
                levels = _unchanged_levels(policy, call)
                for index, level_id in enumerate(levels):
                    found[(call.id, index)] = level_id
        return found


def _unchanged_levels(policy: EscalationPolicy, call: Call) -> list[uuid.UUID]:
    snapshot_levels = ((call.state or {}).get("action") or {}).get("levels") or []
    levels = sorted(policy.levels, key=lambda level: level.position)
    if policy.updated_at > call.started_at or len(levels) != len(snapshot_levels):
        return []
    return [level.id for level in levels]
