"""Calls read as OneUptime Incoming Call Logs, their legs as Incoming Call Log Items.

The statuses are computed in SQL from the call record, so that filtering on them is one query
(the expressions are in :mod:`.repository`):

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

from callroute.compat.oneuptime.columns import Column, Columns, Kind
from callroute.engine.callflow.fallback import NOBODY_AVAILABLE

LOG_NOUN = "Incoming Call Log"
ITEM_NOUN = "Incoming Call Log Item"

# callroute's reasons that OneUptime words its own way.
STATUS_MESSAGES = {
    "the router is disabled": "Policy is disabled",
    NOBODY_AVAILABLE: "No on-call user available in any escalation rule",
}

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
