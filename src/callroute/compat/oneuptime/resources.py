"""The resources served, with the callroute permissions that guard each."""

from __future__ import annotations

from callroute.compat.oneuptime.access import Access
from callroute.compat.oneuptime.crud import Resource
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

RESOURCES = (POLICIES, RULES)
