"""What the router form sends: laid over the stored document and parsed as a PATCH body is
(``RouterUpdate`` from JSON), then saved by ``RouterService.update``, so that the API's rules
and messages apply unchanged. No HTTP here."""

from __future__ import annotations

import copy
import json
import re
import uuid
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.clock import Clock
from callroute.console.router_forms import Slot, at, slots_of
from callroute.console.router_pages import config_of, names_for
from callroute.engine.callflow.model import ActionKind
from callroute.models import Router
from callroute.routers.schemas import RouterConfig, RouterUpdate
from callroute.routers.service import RouterService
from callroute.validation import validation_failed

_INTEGER = re.compile(r"[+-]?\d{1,30}")


def _integer(raw: str, *, optional: bool) -> int | str | None:
    """A typed number as JSON would carry it; anything else is left as typed, for the schema
    to refuse with the API's own message."""
    text = raw.strip()
    if optional and not text:
        return None
    return int(text) if _INTEGER.fullmatch(text) else raw


def _prompt(stored: dict[str, Any] | None, typed: str | None, *, optional: bool) -> Any:
    if typed is None:  # not in the form that was sent: unchanged
        return stored
    if not typed.strip():
        if stored is not None and stored.get("audio_url"):
            return stored  # an audio prompt the form cannot show is kept
        if optional:
            return None
    kept = {k: stored[k] for k in ("voice", "language")} if stored else {}
    return {**kept, "text": typed}


def _action(action: dict[str, Any], path: str, fields: dict[str, str]) -> None:
    if (label := fields.get(f"{path}.label")) is not None:
        action["label"] = label.strip() or None
    if action["type"] != ActionKind.RING.value:
        return
    if (target := fields.get(f"{path}.target")) is not None:
        kind, _, ref = target.partition(":")
        action["target"] = {"type": kind, "id": ref}
    if (strategy := fields.get(f"{path}.strategy")) is not None:
        action["strategy"] = strategy
    if (timeout := fields.get(f"{path}.ring_timeout_seconds")) is not None:
        action["ring_timeout_seconds"] = _integer(timeout, optional=False)


def update_body(config: RouterConfig, slots: list[Slot], fields: dict[str, str]) -> dict[str, Any]:
    """The PATCH body the form stands for. Each part the form shows is sent whole, taken from
    the stored document with what was typed laid over it, so that what the form does not show
    (a menu's timeouts, an action's urgency, the screening) is kept as it is. An input missing
    from the form sent leaves its setting unchanged; a checkbox is off when absent."""
    doc = copy.deepcopy(config.model_dump(mode="json"))
    for slot in slots:
        _action(at(doc, slot.path), slot.path, fields)
    body: dict[str, Any] = {
        "enabled": fields.get("enabled") == "on",
        "greeting": _prompt(doc["greeting"], fields.get("greeting"), optional=True),
    }
    if doc["menu"] is not None:
        menu = doc["menu"]
        menu["prompt"] = _prompt(menu["prompt"], fields.get("menu.prompt"), optional=False)
        body["menu"] = menu
    else:
        body["action"] = doc["action"]
    if doc["business_hours"] is not None:
        body["business_hours"] = doc["business_hours"]
    for part, name, optional in (
        ("ringing", "deadline_seconds", True),
        ("ringing", "level_delay_seconds", True),
        ("ringing", "repeat_count", True),
        ("voicemail", "max_length_seconds", False),
    ):
        if (raw := fields.get(f"{part}.{name}")) is not None:
            doc[part][name] = _integer(raw, optional=optional)
    doc["voicemail"]["transcribe"] = fields.get("voicemail.transcribe") == "on"
    body |= {"ringing": doc["ringing"], "voicemail": doc["voicemail"]}
    body["fallback"] = fields.get("fallback", doc["fallback"])
    return body


async def save(
    session: AsyncSession, project_id: uuid.UUID, clock: Clock, ref: str, fields: dict[str, str]
) -> Router:
    """Save the form through the API's update; raises the API's error when it is refused."""
    service = RouterService(session, project_id, clock)
    router = await service.get(ref)
    config = config_of(router)
    slots = slots_of(config, await names_for(session, project_id, [config]))
    body = update_body(config, slots, fields)
    try:
        data = RouterUpdate.model_validate_json(json.dumps(body))
    except ValidationError as exc:
        raise validation_failed(exc.errors()) from exc
    return await service.update(str(router.id), data)
