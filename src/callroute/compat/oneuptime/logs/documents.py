"""Calls read as OneUptime Incoming Call Logs, their legs as Incoming Call Log Items.

The statuses are computed in SQL from the call record, so that filtering on them is one query:

| callroute call                                  | OneUptime log status |
|---|---|
| ringing, in_menu (greeting, menu)               | Initiated |
| ringing_responders, first level of first round  | Ringing |
| ringing_responders, a later level or round      | Escalated |
| answered                                        | Connected |
| completed                                       | Completed |
| missed, the caller hung up                      | CallerHungUp |
| missed, nobody available                        | Failed |
| missed (nobody answered), voicemail             | NoAnswer |
| rejected, failed                                | Failed |
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, or_

from callroute.compat.oneuptime.columns import Column, Columns, Kind
from callroute.engine.callflow.fallback import NOBODY_AVAILABLE
from callroute.models import Call, CallLeg

LOG_NOUN = "Incoming Call Log"
ITEM_NOUN = "Incoming Call Log Item"

CALLER_HUNG_UP = "caller hung up%"
# callroute's reasons that OneUptime words its own way.
STATUS_MESSAGES = {
    "the router is disabled": "Policy is disabled",
    NOBODY_AVAILABLE: "No on-call user available in any escalation rule",
}

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

LOG_COLUMNS = Columns(
    LOG_NOUN,
    [
        Column("createdAt", Kind.DATE),
        Column("updatedAt", Kind.DATE),
        Column("projectId", Kind.ID),
        Column("incomingCallPolicyId", Kind.ID),
        Column("incomingCallPolicy", Kind.RELATION, subfields=("name",)),
        Column("callerPhoneNumber", Kind.PHONE),
        Column("routingPhoneNumber", Kind.PHONE),
        Column("callProviderCallId", Kind.TEXT),
        Column("status", Kind.TEXT),
        Column("statusMessage", Kind.TEXT),
        Column("callDurationInSeconds", Kind.NUMBER, queryable=False),
        Column("callCostInUSDCents", Kind.NUMBER, queryable=False),
        Column("incomingCallCostInUSDCents", Kind.NUMBER, queryable=False),
        Column("outgoingCallCostInUSDCents", Kind.NUMBER, queryable=False),
        Column("startedAt", Kind.DATE),
        Column("endedAt", Kind.DATE),
        Column("answeredByUserId", Kind.ID),
        Column("answeredByUser", Kind.RELATION, subfields=("name",)),
        Column("currentEscalationRuleOrder", Kind.NUMBER),
        Column("repeatCount", Kind.NUMBER),
    ],
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

ITEM_COLUMNS = Columns(
    ITEM_NOUN,
    [
        Column("createdAt", Kind.DATE),
        Column("updatedAt", Kind.DATE),
        Column("projectId", Kind.ID),
        Column("incomingCallLogId", Kind.ID),
        Column("incomingCallPolicyEscalationRuleId", Kind.ID, queryable=False),
        Column("userId", Kind.ID),
        Column("user", Kind.RELATION, subfields=("name",)),
        Column("userPhoneNumber", Kind.PHONE),
        Column("status", Kind.TEXT),
        Column("statusMessage", Kind.TEXT),
        Column("dialDurationInSeconds", Kind.NUMBER, queryable=False),
        Column("callCostInUSDCents", Kind.NUMBER, queryable=False),
        Column("startedAt", Kind.DATE),
        Column("endedAt", Kind.DATE),
        Column("isAnswered", Kind.BOOLEAN),
    ],
)

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
