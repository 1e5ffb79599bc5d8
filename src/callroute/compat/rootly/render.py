"""A router as a Rootly ``live_call_routers`` resource object.

Every attribute of Rootly's response schema is present (null when unset), so a client sees
one shape whatever was written. Beyond the schema: ``slug`` and ``escalation_policy_trigger``
(lower-case type), which Rootly's own examples carry, and ``calling_tree_enabled``, so that
what a client wrote reads back.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from callroute.compat.rootly.schemas import (
    RESOURCE_TYPE,
    TRIGGER_CLASS_NAMES,
    TRIGGER_LOWER_NAMES,
)
from callroute.compat.rootly.translate import View
from callroute.models import PhoneNumber, Router


def timestamp(value: datetime) -> str:
    """ISO 8601 with milliseconds, as Rootly writes them; callroute keeps time in UTC."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def resource(
    router: Router,
    view: View,
    number: PhoneNumber | None,
    urgency_ids: Mapping[str, uuid.UUID],
) -> dict[str, Any]:
    def urgency(slug: str | None) -> str | None:
        found = urgency_ids.get(slug) if slug else None
        return str(found) if found else None

    first = view.paging_targets[0] if view.paging_targets else None
    attributes: dict[str, Any] = {
        "kind": view.kind.value,
        "enabled": router.enabled,
        "name": router.name,
        "slug": router.slug,
        "country_code": number.country if number else None,
        "phone_type": number.number_type if number else None,
        "phone_number": number.number if number else None,
        "voicemail_greeting": view.voicemail_greeting,
        "caller_greeting": view.caller_greeting,
        "unavailable_responder_message": view.unavailable_responder_message,
        "waiting_music_url": view.waiting_music_url,
        "sent_to_voicemail_delay": view.sent_to_voicemail_delay,
        "should_redirect_to_voicemail_on_no_answer": view.should_redirect_to_voicemail_on_no_answer,
        "escalation_level_delay_in_seconds": view.escalation_level_delay_in_seconds,
        "should_auto_resolve_alert_on_call_end": view.should_auto_resolve_alert_on_call_end,
        "notify_via_sms": False,
        "notify_via_push_notification": False,
        "informational_notification_message": None,
        "alert_urgency_id": urgency(view.alert_urgency),
        "calling_tree_enabled": view.calling_tree_enabled,
        "calling_tree_prompt": view.calling_tree_prompt,
        "paging_targets": [
            {"id": str(t.id), "type": t.type.value, "alert_urgency_id": urgency(t.urgency)}
            for t in view.paging_targets
        ],
        # The legacy single target is the first paging target.
        "escalation_policy_trigger_params": {
            "id": str(first.id),
            "type": TRIGGER_CLASS_NAMES[first.type],
        }
        if first
        else None,
        "escalation_policy_trigger": {"id": str(first.id), "type": TRIGGER_LOWER_NAMES[first.type]}
        if first
        else None,
        "created_at": timestamp(router.created_at),
        "updated_at": timestamp(router.updated_at),
    }
    return {"id": str(router.id), "type": RESOURCE_TYPE, "attributes": attributes}
