"""A router's settings in words, as its console page shows them: the document the API's GET
returns, with the names of what it rings instead of ids and the built-in messages where the
router sets none. Pure: the names are looked up before (``router_forms``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from callroute.engine.callflow import model as m
from callroute.engine.callflow.model import ActionKind, CallerId, Fallback, OutboundMode, RingMode
from callroute.engine.escalation import RingStrategy
from callroute.routers.schemas import (
    ActionIn,
    BusinessHoursIn,
    MenuIn,
    OutboundIn,
    PromptIn,
    RouterConfig,
    ScreeningIn,
    TargetType,
)

# What a call hears when the router sets no message of its own (the engine's defaults).
BUILT_IN = m.Snapshot(router_id="", router_name="", router_number="", caller="")
SHOWN_NUMBERS = 10  # of a blocklist or an allowlist; the rest are counted

NOUNS = {
    TargetType.ESCALATION_POLICY: "escalation policy",
    TargetType.SERVICE: "service",
    TargetType.TEAM: "team",
    TargetType.SCHEDULE: "schedule",
    TargetType.MEMBER: "member",
}
STRATEGIES = {
    RingStrategy.SEQUENTIAL: "one after another",
    RingStrategy.SIMULTANEOUS: "all at once",
    RingStrategy.RANDOM: "one after another, in a random order",
}


@dataclass
class Names:
    """Names of the rows a router's settings point at, by id (ids are unique across tables),
    and the escalation policy a team or a service rings through, when it has one."""

    of: dict[uuid.UUID, str] = field(default_factory=dict)
    policy_of: dict[uuid.UUID, uuid.UUID | None] = field(default_factory=dict)

    def name(self, ref: uuid.UUID, noun: str) -> str:
        """“Ann”; a row removed since (with `force`) is still named by the router, and rings
        nobody: it is shown as missing."""
        known = self.of.get(ref)
        return f"“{known}”" if known is not None else f"a missing {noun} ({ref})"

    def the(self, noun: str, ref: uuid.UUID | None) -> str:
        """the team “Night crew”, or a missing team (its id)."""
        if ref is None:
            return f"no {noun}"
        known = self.of.get(ref)
        return f"the {noun} “{known}”" if known is not None else f"a missing {noun} ({ref})"


@dataclass(frozen=True)
class Setting:
    term: str
    text: str


@dataclass(frozen=True)
class Section:
    title: str
    settings: list[Setting]


def prompt(p: PromptIn | m.Prompt | None, default: m.Prompt | None = None) -> str:
    if p is None:
        return "none" if default is None else f"the built-in message, {prompt(default)}"
    spoken = f"“{p.text}”" if p.text is not None else f"the audio file {p.audio_url}"
    voice = f", voice {p.voice}" if p.voice else ""
    return f"{spoken} ({p.language}{voice})"


def action(a: ActionIn, names: Names) -> str:
    if a.type == ActionKind.RING:
        text = _ring(a, names)
    elif a.type == ActionKind.VOICEMAIL:
        text = "takes a voicemail"
        if a.target is not None:
            text += f" for {_target(a.target.type, a.target.id, names)}"
    elif a.type == ActionKind.FORWARD:
        text = f"forwards the call to {a.number}"
    elif a.type == ActionKind.SIP:
        text = f"connects {names.the('SIP trunk', a.sip_trunk_id)}"
    elif a.type == ActionKind.BOT:
        text = f"connects {names.the('voice bot', a.bot_id)}"
    else:
        text = f"says {prompt(a.message)} and hangs up"
    if a.urgency:
        text += f"; its alert's urgency is {a.urgency}"
    return text


def _target(kind: TargetType, ref: uuid.UUID, names: Names) -> str:
    if kind == TargetType.MEMBER:
        return names.name(ref, NOUNS[kind])
    return names.the(NOUNS[kind], ref)


def _ring(a: ActionIn, names: Names) -> str:
    assert a.target is not None  # the schema requires it of a ring action
    kind, ref = a.target.type, a.target.id
    rings = f"rings {_target(kind, ref, names)}"
    if ref not in names.of:
        return f"{rings}: nobody is rung"
    if kind == TargetType.ESCALATION_POLICY:
        return f"{rings}, level by level as the policy says"
    policy = names.policy_of.get(ref)
    if kind in (TargetType.SERVICE, TargetType.TEAM) and policy is not None:
        return f"{rings} through {names.the('escalation policy', policy)}"
    if kind == TargetType.SERVICE:
        return f"{rings}, which has no escalation policy: nobody is rung"
    if kind == TargetType.MEMBER:
        return f"{rings} for {a.ring_timeout_seconds} s"
    return f"{rings}: {STRATEGIES[a.strategy]}, {a.ring_timeout_seconds} s each"


def _numbers(numbers: list[str]) -> str:
    shown = ", ".join(numbers[:SHOWN_NUMBERS])
    more = len(numbers) - SHOWN_NUMBERS
    return f"{shown} and {more} more" if more > 0 else shown


def screening(s: ScreeningIn) -> Section:
    rows = [
        Setting("Blocked callers", _numbers(s.blocklist) if s.blocklist else "none"),
        Setting(
            "Allowed callers",
            "everyone not blocked" if s.allowlist is None else f"only {_numbers(s.allowlist)}",
        ),
    ]
    built_in = BUILT_IN.screening
    if s.blocklist:
        blocked = prompt(s.blocked_message) if s.blocked_message else "nothing: refused at once"
        rows.append(Setting("Blocked callers hear", blocked))
    if s.allowlist is not None:
        rows.append(
            Setting("Others hear", prompt(s.not_allowed_message, built_in.not_allowed_message))
        )
    pin = "none"
    if s.pin is not None:
        pin = f"callers enter a PIN, {s.pin_attempts} attempts (the PIN is not shown here)"
    rows.append(Setting("PIN", pin))
    if s.pin is not None:
        rows.append(Setting("PIN prompt", prompt(s.pin_prompt, built_in.pin_prompt)))
    return Section("Screening", rows)


def hours(b: BusinessHoursIn | None, names: Names) -> Section:
    if b is None:
        return Section("Business hours", [Setting("Open", "always")])
    rows = [Setting("Time zone", b.time_zone)]
    for window in b.windows:
        days = ", ".join(day.value.capitalize() for day in window.days)
        past = " (past midnight)" if window.end <= window.start else ""
        start, end = window.start.strftime("%H:%M"), window.end.strftime("%H:%M")
        rows.append(Setting("Open", f"{days}, {start} to {end}{past}"))
    rows.append(Setting("Out of hours", action(b.after_hours_action, names)))
    return Section("Business hours", rows)


def menu(menu_: MenuIn, names: Names) -> Section:
    rows = [Setting("Prompt", prompt(menu_.prompt))]
    for option in menu_.options:
        label = f" · {option.action.label}" if option.action.label else ""
        rows.append(Setting(f"Press {option.digit}{label}", action(option.action, names)))
    rows.append(
        Setting("Waiting for a key", f"{menu_.timeout_seconds} s, {menu_.max_attempts} attempts")
    )
    default = f"option {menu_.default_digit}" if menu_.default_digit else "none"
    rows.append(Setting("Without a key", default))
    wrong = prompt(menu_.invalid_prompt) if menu_.invalid_prompt else "the prompt again"
    rows.append(Setting("A wrong key hears", wrong))
    if menu_.skip_single_option:
        rows.append(Setting("A single option", "taken without asking"))
    return Section("Menu", rows)


def ringing(config: RouterConfig) -> Section:
    r = config.ringing
    built_in = BUILT_IN.ringing
    heard = "ringback while responders are dialled"
    if r.mode == RingMode.HOLD:
        music = r.hold_music_url or "the built-in music"
        heard = f"hold music ({music}) while responders are called, bridged when one accepts"
    accept = "answering is enough"
    if r.require_accept:
        accept = "responders press 1 to accept: a voicemail pickup never counts"
    rows = [
        Setting("The caller hears", heard),
        Setting("Accepting", accept),
    ]
    if r.require_accept:
        rows.append(Setting("Responders hear", prompt(r.accept_prompt, built_in.accept_prompt)))
    rows += [
        Setting("Between attempts", prompt(r.between_attempts_message)),
        Setting(
            "Deadline",
            f"{r.deadline_seconds} s, then the fallback"
            if r.deadline_seconds is not None
            else "none: the levels and repeats decide",
        ),
        Setting(
            "Delay between levels",
            "as each level says"
            if r.level_delay_seconds is None
            else f"{r.level_delay_seconds} s for every level",
        ),
        Setting(
            "Repeats",
            "as the escalation policy says" if r.repeat_count is None else str(r.repeat_count),
        ),
        Setting(
            "Responders see",
            "the caller's number" if r.caller_id == CallerId.CALLER else "the router's number",
        ),
    ]
    return Section("Ringing", rows)


def unanswered(config: RouterConfig) -> Section:
    v = config.voicemail
    fallback = "take a voicemail"
    if config.fallback == Fallback.MESSAGE:
        fallback = "say the no-answer message, then hang up"
    return Section(
        "When nobody answers",
        [
            Setting("Fallback", fallback),
            Setting(
                "No-answer message", prompt(config.no_answer_message, BUILT_IN.no_answer_message)
            ),
            Setting(
                "Nobody on call",
                prompt(config.no_one_available_message, BUILT_IN.no_one_available_message),
            ),
            Setting("Voicemail greeting", prompt(v.greeting, BUILT_IN.voicemail.greeting)),
            Setting("Voicemail length", f"up to {v.max_length_seconds} s"),
            Setting("Transcript", "yes" if v.transcribe else "no"),
        ],
    )


def alerts(config: RouterConfig) -> Section:
    a = config.alert
    if not a.enabled:
        return Section("Alerts", [Setting("Alerts", "calls raise no alert")])
    return Section(
        "Alerts",
        [
            Setting("Alerts", "each call raises one"),
            Setting("Urgency", a.urgency or "the project's default"),
            Setting(
                "Resolved",
                "when the call ends" if a.auto_resolve_on_call_end else "by a person",
            ),
        ],
    )


def outbound(o: OutboundIn | None, names: Names) -> Section:
    if o is None:
        return Section("Outbound calls", [Setting("Outbound calls", "none can be placed")])
    connected = {
        OutboundMode.SIP: names.the("SIP trunk", o.sip_trunk_id),
        OutboundMode.BOT: names.the("voice bot", o.bot_id),
        OutboundMode.ANSWER_ONLY: "nothing: the call stays up until someone hangs up",
    }[o.mode]
    return Section(
        "Outbound calls",
        [
            Setting("Once answered, connected to", connected),
            Setting("The called phone rings", f"{o.ring_timeout_seconds} s"),
        ],
    )


def settings(config: RouterConfig, names: Names) -> list[Section]:
    """Every part of the router's pipeline, in the order a call goes through it."""
    calls = Section("Greeting", [Setting("Callers first hear", prompt(config.greeting))])
    if config.menu is not None:
        choice = menu(config.menu, names)
    else:
        assert config.action is not None  # a router has a menu or an action
        choice = Section("Action", [Setting("Action", action(config.action, names))])
    return [
        screening(config.screening),
        hours(config.business_hours, names),
        calls,
        choice,
        ringing(config),
        unanswered(config),
        alerts(config),
        outbound(config.outbound, names),
    ]


def what_it_does(config: RouterConfig, names: Names) -> str:
    """One line for a list of routers."""
    if config.menu is not None:
        options = ", ".join(
            f"{o.digit} {_option_name(o.action, names)}" for o in config.menu.options
        )
        return f"a menu: {options}"
    assert config.action is not None
    return action(config.action, names)


def _option_name(a: ActionIn, names: Names) -> str:
    if a.label:
        return a.label
    if a.target is not None:
        return names.name(a.target.id, NOUNS[a.target.type])
    return a.type.value


def referenced(config: RouterConfig) -> Iterable[tuple[str, uuid.UUID]]:
    """What the settings point at, by kind (a ``TargetType`` value, ``sip_trunk`` or ``bot``),
    so that the names can be looked up in one read per kind."""
    actions = [config.action] if config.action is not None else []
    if config.menu is not None:
        actions += [o.action for o in config.menu.options]
    if config.business_hours is not None:
        actions.append(config.business_hours.after_hours_action)
    for a in actions:
        if a.target is not None:
            yield a.target.type.value, a.target.id
        if a.sip_trunk_id is not None:
            yield "sip_trunk", a.sip_trunk_id
        if a.bot_id is not None:
            yield "bot", a.bot_id
    if config.outbound is not None:
        if config.outbound.sip_trunk_id is not None:
            yield "sip_trunk", config.outbound.sip_trunk_id
        if config.outbound.bot_id is not None:
            yield "bot", config.outbound.bot_id
