"""A router, read as a OneUptime Incoming Call Policy.

Every router of the project is a policy: one made in the native API or the console reads here
too. Its escalation rules are the levels of the escalation policy it rings.
"""

from __future__ import annotations

from typing import Any

import phonenumbers

from callroute.compat.oneuptime.columns import Column, Columns, Kind
from callroute.compat.oneuptime.wire import JSON, label_id
from callroute.models import EscalationPolicy, PhoneNumber, Project, ProviderConnection, Router

NOUN = "Incoming Call Policy"

COLUMNS = Columns(
    NOUN,
    [
        Column("createdAt", Kind.DATE),
        Column("updatedAt", Kind.DATE),
        Column("projectId", Kind.ID),
        Column("project", Kind.RELATION, subfields=("name", "slug")),
        Column("name", Kind.TEXT),
        Column("description", Kind.TEXT),
        Column("slug", Kind.TEXT),
        Column("routingPhoneNumber", Kind.PHONE),
        Column("callProviderPhoneNumberId", Kind.TEXT),
        Column("phoneNumberCountryCode", Kind.TEXT),
        Column("phoneNumberAreaCode", Kind.TEXT),
        Column("phoneNumberPurchasedAt", Kind.DATE),
        Column("greetingMessage", Kind.TEXT),
        Column("noAnswerMessage", Kind.TEXT),
        Column("noOneAvailableMessage", Kind.TEXT),
        Column("isEnabled", Kind.BOOLEAN),
        Column("repeatPolicyIfNoOneAnswers", Kind.BOOLEAN),
        Column("repeatPolicyIfNoOneAnswersTimes", Kind.NUMBER),
        Column("labels", Kind.LABELS, subfields=("name",)),
        Column("projectCallSMSConfigId", Kind.ID),
        Column("projectCallSMSConfig", Kind.RELATION, subfields=("name",)),
        Column("createdByUserId", Kind.ID),
        Column("createdByUser", Kind.RELATION, subfields=("name",)),
    ],
)


def repeat_of(router: Router, policy: EscalationPolicy | None) -> tuple[bool, int]:
    """(repeatPolicyIfNoOneAnswers, repeatPolicyIfNoOneAnswersTimes).

    The count lives on the escalation policy; a router that must not repeat overrides it with
    ``ringing.repeat_count = 0``, which keeps the count for when repeating is switched back on.
    """
    override = (router.config.get("ringing") or {}).get("repeat_count")
    stored = policy.repeat_count if policy is not None else 0
    effective = stored if override is None else int(override)
    if effective > 0:
        return True, effective
    return False, stored if stored > 0 else 1


def _message(router: Router, key: str) -> str | None:
    prompt: dict[str, Any] | None = router.config.get(key)
    return prompt.get("text") if prompt else None


def area_code(number: str) -> str | None:
    parsed = phonenumbers.parse(number, None)
    national = phonenumbers.national_significant_number(parsed)
    length = phonenumbers.length_of_national_destination_code(parsed)
    return national[:length] if length > 0 else None


def policy_document(
    router: Router,
    numbers: list[PhoneNumber],
    policy: EscalationPolicy | None,
    project: Project,
    connections: dict[Any, ProviderConnection],
) -> JSON:
    number = numbers[0] if numbers else None
    connection_id = router.connection_id or (number.connection_id if number else None)
    connection = connections.get(connection_id)
    repeat, times = repeat_of(router, policy)
    return {
        "_id": router.id,
        "createdAt": router.created_at,
        "updatedAt": router.updated_at,
        "projectId": router.project_id,
        "project": {"_id": project.id, "name": project.name, "slug": project.slug},
        "name": router.name,
        "description": router.description or None,
        "slug": router.slug,
        "routingPhoneNumber": number.number if number else None,
        "callProviderPhoneNumberId": number.provider_sid if number else None,
        "phoneNumberCountryCode": number.country if number else None,
        "phoneNumberAreaCode": area_code(number.number) if number else None,
        "phoneNumberPurchasedAt": number.created_at if number else None,
        "greetingMessage": _message(router, "greeting"),
        "noAnswerMessage": _message(router, "no_answer_message"),
        "noOneAvailableMessage": _message(router, "no_one_available_message"),
        "isEnabled": router.enabled,
        "repeatPolicyIfNoOneAnswers": repeat,
        "repeatPolicyIfNoOneAnswersTimes": times,
        "labels": [
            {"_id": label_id(router.project_id, name), "name": name} for name in router.labels
        ],
        "projectCallSMSConfigId": connection_id,
        "projectCallSMSConfig": (
            {"_id": connection.id, "name": connection.name} if connection else None
        ),
        "createdByUserId": None,
        "createdByUser": None,
    }
