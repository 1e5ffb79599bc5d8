"""Rootly's live call router, read from and written onto callroute's router document.

Pure functions, no I/O: the service resolves ids, urgencies and service kinds first.

The mapping, part by part:

- ``kind`` and ``paging_targets``: every target becomes a ``ring`` action (live) or a
  ``voicemail`` action left for that target (voicemail). One target is the router's action;
  several (or ``calling_tree_enabled``, or a ``calling_tree_prompt``) make a menu whose digits
  follow the targets' order, ``*`` repeating the prompt. ``calling_tree_enabled: false`` is
  ``menu.skip_single_option``: a one-target menu does not make the caller press 1.
- Greetings, waiting music, delays, the fallback and the alert map onto the router's
  ``greeting``, ``voicemail``, ``ringing``, ``fallback`` and ``alert`` parts.

Writing starts from the stored document and changes only the parts whose attributes were
sent, so whatever Rootly cannot express (screening, business hours, ring strategies, voices)
survives an update made through this API.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from callroute.catalog.schemas import ServiceKind
from callroute.compat.rootly.schemas import Kind, PagingTargetType
from callroute.engine.callflow.model import ActionKind, Fallback, RingMode
from callroute.routers.schemas import ActionIn, PromptIn, RouterConfig, TargetType

NATIVE_TYPES: dict[PagingTargetType, TargetType] = {
    PagingTargetType.SERVICE: TargetType.SERVICE,
    PagingTargetType.FUNCTIONALITY: TargetType.SERVICE,
    PagingTargetType.TEAM: TargetType.TEAM,
    PagingTargetType.ESCALATION_POLICY: TargetType.ESCALATION_POLICY,
}
ROUTING_ATTRIBUTES = frozenset(
    {
        "kind",
        "paging_targets",
        "calling_tree_enabled",
        "calling_tree_prompt",
        "escalation_policy_trigger_params",
    }
)


@dataclass(frozen=True)
class Target:
    type: PagingTargetType
    id: uuid.UUID
    urgency: str | None = None  # the native urgency slug

    @property
    def native_type(self) -> TargetType:
        return NATIVE_TYPES[self.type]


@dataclass(frozen=True)
class View:
    """A router as Rootly sees it, urgencies as native slugs."""

    kind: Kind = Kind.VOICEMAIL
    paging_targets: tuple[Target, ...] = ()
    calling_tree_enabled: bool = False
    calling_tree_prompt: str | None = None
    caller_greeting: str | None = None
    voicemail_greeting: str | None = None
    unavailable_responder_message: str | None = None
    waiting_music_url: str | None = None
    sent_to_voicemail_delay: int | None = None
    should_redirect_to_voicemail_on_no_answer: bool = True
    escalation_level_delay_in_seconds: int | None = None
    should_auto_resolve_alert_on_call_end: bool = False
    alert_urgency: str | None = None
    # Why the router's routing cannot be written through this API, when it cannot.
    inexpressible: str | None = field(default=None, compare=False)


def read(config: RouterConfig, service_kinds: Mapping[uuid.UUID, str]) -> View:
    """The Rootly view of a router document; ``service_kinds`` gives each service target's
    kind (service or functionality)."""
    actions = [config.action] if config.action else []
    if config.menu is not None:
        actions = [option.action for option in config.menu.options]
    problem = _inexpressible(config, actions)
    targets = tuple(
        target
        for action in actions
        if action.target is not None
        for target in [_paging_target(action, service_kinds)]
        if target is not None
    )
    ringing = config.ringing
    return View(
        kind=Kind.LIVE if any(a.type == ActionKind.RING for a in actions) else Kind.VOICEMAIL,
        paging_targets=targets,
        calling_tree_enabled=config.menu is not None and not config.menu.skip_single_option,
        calling_tree_prompt=config.menu.prompt.text if config.menu else None,
        caller_greeting=config.greeting.text if config.greeting else None,
        voicemail_greeting=config.voicemail.greeting.text if config.voicemail.greeting else None,
        unavailable_responder_message=ringing.between_attempts_message.text
        if ringing.between_attempts_message
        else None,
        waiting_music_url=ringing.hold_music_url,
        sent_to_voicemail_delay=ringing.deadline_seconds,
        should_redirect_to_voicemail_on_no_answer=config.fallback == Fallback.VOICEMAIL,
        escalation_level_delay_in_seconds=ringing.level_delay_seconds,
        should_auto_resolve_alert_on_call_end=config.alert.auto_resolve_on_call_end,
        alert_urgency=config.alert.urgency,
        inexpressible=problem,
    )


def _paging_target(action: ActionIn, service_kinds: Mapping[uuid.UUID, str]) -> Target | None:
    assert action.target is not None
    native = action.target.type
    if native == TargetType.SERVICE:
        kind = service_kinds.get(action.target.id)
        rootly = (
            PagingTargetType.FUNCTIONALITY
            if kind == ServiceKind.FUNCTIONALITY
            else PagingTargetType.SERVICE
        )
    elif native == TargetType.TEAM:
        rootly = PagingTargetType.TEAM
    elif native == TargetType.ESCALATION_POLICY:
        rootly = PagingTargetType.ESCALATION_POLICY
    else:
        return None  # schedules and members have no Rootly paging target type
    return Target(rootly, action.target.id, action.urgency)


def _inexpressible(config: RouterConfig, actions: list[ActionIn]) -> str | None:
    if config.menu is not None:
        digits = [option.digit for option in config.menu.options]
        if digits != [str(i) for i in range(1, len(digits) + 1)]:
            return "its menu digits are not 1, 2, 3... in order"
        if config.menu.prompt.text is None:
            return "its menu prompt is an audio file"
    kinds = {action.type for action in actions}
    if not kinds <= {ActionKind.RING, ActionKind.VOICEMAIL}:
        names = ", ".join(sorted(k.value for k in kinds - {ActionKind.RING, ActionKind.VOICEMAIL}))
        return f"it routes calls to {names}, which live call routers cannot express"
    if len(kinds) > 1:
        return "its menu mixes ringing and voicemail"
    for action in actions:
        if action.target is None and len(actions) > 1:
            return "its menu has a voicemail option without a target"
        if action.target is not None and action.target.type not in NATIVE_TYPES.values():
            return f"it rings a {action.target.type.value}, which is not a paging target type"
    return None


def write(base: RouterConfig, view: View, changed: frozenset[str]) -> dict[str, Any]:
    """The router document ``base`` with the parts of ``view`` named in ``changed`` written
    onto it (attribute names; ``alert_urgency_id`` for the router's urgency)."""
    config = base.model_dump(mode="json")
    ringing, voicemail, alert = config["ringing"], config["voicemail"], config["alert"]
    if "caller_greeting" in changed:
        config["greeting"] = _prompt(view.caller_greeting, base.greeting)
    if "voicemail_greeting" in changed:
        voicemail["greeting"] = _prompt(view.voicemail_greeting, base.voicemail.greeting)
    if "unavailable_responder_message" in changed:
        ringing["between_attempts_message"] = _prompt(
            view.unavailable_responder_message, base.ringing.between_attempts_message
        )
    if "waiting_music_url" in changed:
        ringing["hold_music_url"] = view.waiting_music_url
    if "sent_to_voicemail_delay" in changed:
        ringing["deadline_seconds"] = view.sent_to_voicemail_delay
    if "escalation_level_delay_in_seconds" in changed:
        ringing["level_delay_seconds"] = view.escalation_level_delay_in_seconds
    if "should_redirect_to_voicemail_on_no_answer" in changed:
        redirect = view.should_redirect_to_voicemail_on_no_answer
        config["fallback"] = (Fallback.VOICEMAIL if redirect else Fallback.MESSAGE).value
    if "should_auto_resolve_alert_on_call_end" in changed:
        alert["auto_resolve_on_call_end"] = view.should_auto_resolve_alert_on_call_end
    if "alert_urgency_id" in changed:
        alert["urgency"] = view.alert_urgency
    if "kind" in changed and view.kind == Kind.LIVE:
        # Rootly's callers hear the waiting music while responders are called.
        ringing["mode"] = RingMode.HOLD.value
    if changed & ROUTING_ATTRIBUTES:
        config["menu"], config["action"] = _routing(base, view)
    return config


def _prompt(text: str | None, before: PromptIn | None) -> dict[str, Any] | None:
    """A spoken text, keeping the voice and language the stored prompt had."""
    if text is None:
        return None
    prompt = PromptIn(text=text) if before is None else before.model_copy(update={"text": text})
    return {**prompt.model_dump(mode="json"), "audio_url": None}


def _routing(base: RouterConfig, view: View) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    kind = ActionKind.RING if view.kind == Kind.LIVE else ActionKind.VOICEMAIL
    if not view.paging_targets:
        return None, {"type": ActionKind.VOICEMAIL.value}
    before = base.menu.options if base.menu else []
    previous = {
        (a.target.type, a.target.id): a
        for a in [base.action, *(o.action for o in before)]
        if a is not None and a.target is not None
    }
    actions = [_action(kind, t, previous.get((t.native_type, t.id))) for t in view.paging_targets]
    if len(actions) == 1 and not view.calling_tree_enabled and view.calling_tree_prompt is None:
        return None, actions[0]
    assert view.calling_tree_prompt is not None, "checked by the service"
    menu = base.menu.model_dump(mode="json") if base.menu else {}
    menu.update(
        prompt=_prompt(view.calling_tree_prompt, base.menu.prompt if base.menu else None),
        options=[{"digit": str(i), "action": a} for i, a in enumerate(actions, start=1)],
        skip_single_option=not view.calling_tree_enabled,
    )
    if menu.get("default_digit") and int(menu["default_digit"]) > len(actions):
        menu["default_digit"] = None
    return menu, None


def _action(kind: ActionKind, target: Target, previous: ActionIn | None) -> dict[str, Any]:
    """The action for one paging target, keeping the label, ring strategy and timeout a
    native edit gave the same target before."""
    action: dict[str, Any] = {}
    if previous is not None and previous.type == kind:
        action = previous.model_dump(mode="json")
    action.update(
        type=kind.value,
        target={"type": target.native_type.value, "id": str(target.id)},
        urgency=target.urgency,
    )
    return action
