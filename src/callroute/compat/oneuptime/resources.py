"""The resources served, with the callroute permissions that guard each."""

from __future__ import annotations

from callroute.compat.oneuptime.access import Access
from callroute.compat.oneuptime.crud import Resource
from callroute.compat.oneuptime.logs import documents as log_documents
from callroute.compat.oneuptime.logs.service import LogCollection, LogItemCollection
from callroute.compat.oneuptime.policies import documents as policy_documents
from callroute.compat.oneuptime.policies.service import PolicyCollection
from callroute.compat.oneuptime.rules import documents as rule_documents
from callroute.compat.oneuptime.rules.service import RuleCollection

POLICIES = Resource(
    path="/api/incoming-call-policy",
    param="incoming_call_policy_id",
    columns=policy_documents.COLUMNS,
    # A policy is a router plus the escalation policy holding its rules.
    access=Access(
        policy_documents.NOUN,
        reads=("routers:read",),
        writes=("routers:write", "escalation_policies:write"),
    ),
    collection=PolicyCollection,
    tag="OneUptime: incoming call policies",
)

RULES = Resource(
    path="/api/incoming-call-policy-escalation-rule",
    param="escalation_rule_id",
    columns=rule_documents.COLUMNS,
    # Rules are the levels of an escalation policy; reading one names its router.
    access=Access(
        rule_documents.NOUN,
        reads=("escalation_policies:read", "routers:read"),
        writes=("escalation_policies:write", "routers:read"),
    ),
    collection=RuleCollection,
    tag="OneUptime: incoming call policy escalation rules",
)

# Written by the engine as calls happen: read-only for every key, as in OneUptime.
LOGS = Resource(
    path="/api/incoming-call-log",
    param="incoming_call_log_id",
    columns=log_documents.LOG_COLUMNS,
    access=Access(log_documents.LOG_NOUN, reads=("calls:read",)),
    collection=LogCollection,
    tag="OneUptime: incoming call logs",
    writable=False,
)
LOG_ITEMS = Resource(
    path="/api/incoming-call-log-item",
    param="incoming_call_log_item_id",
    columns=log_documents.ITEM_COLUMNS,
    access=Access(log_documents.ITEM_NOUN, reads=("calls:read",)),
    collection=LogItemCollection,
    tag="OneUptime: incoming call log items",
    writable=False,
)

RESOURCES = (POLICIES, RULES, LOGS, LOG_ITEMS)
