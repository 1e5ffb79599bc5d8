"""The form of a router's common settings: its inputs, named after the API's fields
(``menu.options[0].action.target``), what they show, and the API's messages put back beside
the input holding the field each names. What the form sends is ``router_update``'s. No HTTP
here."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.clock import Clock
from callroute.console import router_words as words
from callroute.console.router_pages import REPOSITORIES, config_of, names_for
from callroute.db.pagination import Cursor, PageResult, SortSpec, parse_sort
from callroute.engine.callflow.model import ActionKind, Fallback
from callroute.engine.escalation import RingStrategy
from callroute.errors import ApiError
from callroute.ids import parse_id
from callroute.models import Router
from callroute.routers.schemas import (
    ActionIn,
    RingingIn,
    RouterConfig,
    TargetType,
    VoicemailIn,
)
from callroute.routers.service import RouterService

CHOICES = 200  # of each kind in a target's select, by name (the API's largest page)
GROUPS = {
    TargetType.ESCALATION_POLICY: "Escalation policies",
    TargetType.SERVICE: "Services",
    TargetType.TEAM: "Teams",
    TargetType.SCHEDULE: "Schedules",
    TargetType.MEMBER: "Members",
}
FALLBACKS = {
    Fallback.VOICEMAIL: "Take a voicemail",
    Fallback.MESSAGE: "Say the no-answer message, then hang up",
}
STRATEGIES = tuple((s.value, f"{s.value}: {words.STRATEGIES[s]}") for s in RingStrategy)
_PATH = re.compile(r"([a-z_]+)|\[(\d+)\]")
_NOT_ID = re.compile(r"[^A-Za-z0-9]+")


def input_id(name: str) -> str:
    """An HTML id for the input named after an API field (``menu.options[0].action.target``)."""
    return "f-" + _NOT_ID.sub("-", name).strip("-")


def _bounds(model: type[BaseModel], name: str) -> str:
    """The range the schema allows, for the input's label: read from the schema so that the
    label cannot drift from what the API accepts."""
    low = high = None
    for rule in model.model_fields[name].metadata:
        low = getattr(rule, "ge", low)
        high = getattr(rule, "le", high)
    return f"{low} to {high}"


@dataclass(frozen=True)
class Slot:
    """A choice the router makes: its only action, a menu option or the out-of-hours action.
    Inputs are named after its API path (``menu.options[0].action``) plus the field."""

    path: str
    title: str
    rings: bool
    summary: str  # in words, for what the form does not change (forward, bot, ...)

    @property
    def labelled(self) -> bool:
        """A menu option's label names the choice people pick (and a call's alert says it)."""
        return self.path.startswith("menu.")


@dataclass(frozen=True)
class Problem:
    text: str
    input: str | None  # the input it is about, when the form has one


@dataclass
class RouterForm:
    router_id: uuid.UUID
    name: str
    has_menu: bool
    slots: list[Slot]
    greeting_audio: str | None  # a greeting played from a file is kept unless text is typed
    prompt_audio: str | None
    targets: list[tuple[str, list[tuple[str, str]]]]  # the select's groups: (label, options)
    labels: dict[str, str]  # input name -> its label
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)  # input name -> the API's message
    problems: list[Problem] = field(default_factory=list)

    fallbacks = tuple((f.value, text) for f, text in FALLBACKS.items())
    strategies = STRATEGIES

    def id_of(self, name: str) -> str:
        return input_id(name)

    def value(self, name: str) -> str:
        return self.values.get(name, "")


def slots_of(config: RouterConfig, names: words.Names) -> list[Slot]:
    found: list[tuple[str, str, ActionIn]] = []
    if config.action is not None:
        found.append(("action", "Action", config.action))
    if config.menu is not None:
        for i, option in enumerate(config.menu.options):
            found.append((f"menu.options[{i}].action", f"Option {option.digit}", option.action))
    if config.business_hours is not None:
        hours = config.business_hours.after_hours_action
        found.append(("business_hours.after_hours_action", "Out of hours", hours))
    return [
        Slot(path, title, a.type == ActionKind.RING, words.action(a, names))
        for path, title, a in found
    ]


def _labels(slots: list[Slot], has_menu: bool) -> dict[str, str]:
    labels = {"enabled": "Enabled: it answers calls to its numbers", "greeting": "Greeting"}
    if has_menu:
        labels["menu.prompt"] = "Menu prompt"
    for slot in slots:
        if slot.labelled:
            labels[f"{slot.path}.label"] = "Label"
        if slot.rings:
            labels[f"{slot.path}.target"] = "Rings"
            labels[f"{slot.path}.strategy"] = "Ring strategy"
            timeout = _bounds(ActionIn, "ring_timeout_seconds")
            labels[f"{slot.path}.ring_timeout_seconds"] = f"Ring timeout, seconds ({timeout})"
    labels |= {
        "ringing.deadline_seconds": "Deadline, seconds "
        f"({_bounds(RingingIn, 'deadline_seconds')}; empty: none)",
        "ringing.level_delay_seconds": "Delay between levels, seconds "
        f"({_bounds(RingingIn, 'level_delay_seconds')}; empty: as each level says)",
        "ringing.repeat_count": f"Repeats ({_bounds(RingingIn, 'repeat_count')}; "
        "empty: as the escalation policy says)",
        "fallback": "Fallback",
        "voicemail.max_length_seconds": "Longest voicemail, seconds "
        f"({_bounds(VoicemailIn, 'max_length_seconds')})",
        "voicemail.transcribe": "Transcribe voicemails",
    }
    return labels


def _text(value: int | None) -> str:
    return "" if value is None else str(value)


def stored_values(router: Router, config: RouterConfig, slots: list[Slot]) -> dict[str, str]:
    """What the form shows before anything is typed."""
    doc = config.model_dump(mode="json")
    values = {
        "enabled": "on" if router.enabled else "",
        "greeting": (config.greeting.text or "") if config.greeting else "",
        "ringing.deadline_seconds": _text(config.ringing.deadline_seconds),
        "ringing.level_delay_seconds": _text(config.ringing.level_delay_seconds),
        "ringing.repeat_count": _text(config.ringing.repeat_count),
        "fallback": config.fallback.value,
        "voicemail.max_length_seconds": str(config.voicemail.max_length_seconds),
        "voicemail.transcribe": "on" if config.voicemail.transcribe else "",
    }
    if config.menu is not None:
        values["menu.prompt"] = config.menu.prompt.text or ""
    for slot in slots:
        action = at(doc, slot.path)
        if slot.labelled:
            values[f"{slot.path}.label"] = action["label"] or ""
        if slot.rings:
            values[f"{slot.path}.target"] = f"{action['target']['type']}:{action['target']['id']}"
            values[f"{slot.path}.strategy"] = action["strategy"]
            values[f"{slot.path}.ring_timeout_seconds"] = str(action["ring_timeout_seconds"])
    return values


def at(doc: dict[str, Any], path: str) -> dict[str, Any]:
    node: Any = doc
    for key, index in _PATH.findall(path):
        node = node[key] if key else node[int(index)]
    assert isinstance(node, dict)
    return node


class _Listing(Protocol):
    """The list query every target kind's repository has."""

    async def page(
        self, filters: dict[str, Any], sort: SortSpec, cursor: Cursor | None, limit: int
    ) -> PageResult[Any]: ...


async def _targets(
    session: AsyncSession, project_id: uuid.UUID, names: words.Names, chosen: set[str]
) -> list[tuple[str, list[tuple[str, str]]]]:
    groups = []
    for kind, label in GROUPS.items():
        repo = cast(_Listing, REPOSITORIES[kind.value](session, project_id))
        page = await repo.page({}, parse_sort("name"), None, CHOICES)
        options = [(f"{kind.value}:{row.id}", row.name) for row in page.rows]
        groups.append((label, options))
    # A target past the first CHOICES of its kind, or one removed since, stays selectable.
    listed = {value for _label, options in groups for value, _text in options}
    for value in sorted(chosen - listed):
        noun, _, ref = value.partition(":")
        ref_id = parse_id(ref)
        name = names.of.get(ref_id) if ref_id else None
        groups.append(("Chosen", [(value, name or f"a missing {noun.replace('_', ' ')} ({ref})")]))
    return groups


async def edit_form(
    session: AsyncSession,
    project_id: uuid.UUID,
    clock: Clock,
    ref: str,
    *,
    typed: dict[str, str] | None = None,
    error: ApiError | None = None,
) -> RouterForm:
    """The form of router ``ref``: with what is stored, or with what was ``typed`` and the
    API's ``error`` beside the input it names. Another project's router is not found."""
    router = await RouterService(session, project_id, clock).get(ref)
    config = config_of(router)
    names = await names_for(session, project_id, [config])
    slots = slots_of(config, names)
    stored = stored_values(router, config, slots)
    shown = stored if typed is None else typed
    # What was chosen stays selectable, even when it is not (or no longer) one of the options.
    chosen = {v for k, v in (stored | shown).items() if k.endswith(".target")}
    form = RouterForm(
        router_id=router.id,
        name=router.name,
        has_menu=config.menu is not None,
        slots=slots,
        greeting_audio=config.greeting.audio_url if config.greeting else None,
        prompt_audio=config.menu.prompt.audio_url if config.menu else None,
        targets=await _targets(session, project_id, names, chosen),
        labels=_labels(slots, config.menu is not None),
        values=shown,
    )
    if error is not None:
        form.errors, form.problems = problems(error, form.labels, slots)
    return form


def _input_for(api_field: str | None, labels: dict[str, str]) -> str | None:
    """The input holding ``api_field`` or the part of it that is wrong
    (``menu.prompt.text`` is in ``menu.prompt``)."""
    if api_field is None:
        return None
    holding = [
        name
        for name in labels
        if api_field == name or api_field.startswith((f"{name}.", f"{name}["))
    ]
    return max(holding, key=len, default=None)


def problems(
    error: ApiError, labels: dict[str, str], slots: list[Slot]
) -> tuple[dict[str, str], list[Problem]]:
    """Each of the API's messages beside the input of the field it names, and the summary
    above the form; a message about a field the form does not show is in the summary only."""
    said: list[tuple[str | None, str]]
    if error.details:
        said = [(d.get("field"), d.get("message") or "") for d in error.details]
    else:
        own = error.message
        if error.field and own.startswith(f"{error.field}: "):
            own = own[len(error.field) + 2 :]  # the input already says which field it is
        said = [(error.field, own)]
    titles = {slot.path: slot.title for slot in slots}
    errors: dict[str, str] = {}
    summary: list[Problem] = []
    for api_field, message in said:
        name = _input_for(api_field, labels)
        if name is None:
            summary.append(Problem(f"{api_field}: {message}" if api_field else message, None))
            continue
        errors.setdefault(name, message)
        title = titles.get(name.rsplit(".", 1)[0])
        where = f"{title} · {labels[name]}" if title else labels[name]
        summary.append(Problem(f"{where}: {message}", name))
    return errors, summary
