"""Build the engine's snapshot of a router at call start.

Everything the call will need is copied here: the router's pipeline, the contact who is
calling, whether it is business hours, and — for every ring action — who is on call and on
which numbers, resolved now. Editing the router or a policy later never changes a call that
is already ringing.

Two halves: :func:`load_source` reads the router's configuration from the database into a
:class:`RouterSource` that answers for a window of time (see calls/config_cache.py, which keeps it
per process); :func:`build_snapshot` turns a source into one call's snapshot, without I/O.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.contacts.repository import Caller
from callroute.engine.callflow import model as m
from callroute.engine.escalation import (
    Directory,
    Level,
    PolicySpec,
    ResolvedPolicy,
    TargetKind,
    resolve_policy,
)
from callroute.engine.escalation import RingStrategy as PolicyStrategy
from callroute.engine.escalation import Target as EngineTarget
from callroute.models import (
    Bot,
    EscalationPolicy,
    Member,
    Router,
    Schedule,
    Service,
    SipTrunk,
    Team,
)
from callroute.oncall.loader import DirectoryLoader
from callroute.oncall.specs import WEEKDAYS, policy_spec
from callroute.routers.schemas import (
    ActionIn,
    BusinessHoursIn,
    PromptIn,
    RouterConfig,
    TargetType,
)


def prompt(value: PromptIn | None, default: m.Prompt | None = None) -> m.Prompt | None:
    if value is None:
        return default
    return m.Prompt(
        text=value.text, audio_url=value.audio_url, voice=value.voice, language=value.language
    )


def in_business_hours(hours: BusinessHoursIn, now: datetime) -> bool:
    local = now.astimezone(ZoneInfo(hours.time_zone))
    today = WEEKDAYS[local.weekday()]
    yesterday = WEEKDAYS[(local.weekday() - 1) % 7]
    clock = local.time().replace(tzinfo=None)
    for window in hours.windows:
        days = {d.value for d in window.days}
        if window.end > window.start:
            if today in days and window.start <= clock < window.end:
                return True
        # A window ending at or before its start runs past midnight into the next day.
        elif (today in days and clock >= window.start) or (
            yesterday in days and clock < window.end
        ):
            return True
    return False


@dataclass(frozen=True)
class PreparedAction:
    """An action with everything read from the database. A ring action still has to be
    resolved at the call's instant: who is on call, on which numbers."""

    action: m.Action  # final, except a ring action's levels and repeat count
    policy: PolicySpec | None = None
    directory: Directory | None = None
    repeat_override: int | None = None

    def at(self, now: datetime) -> m.Action:
        if self.action.kind != m.ActionKind.RING:
            return self.action
        resolved: ResolvedPolicy | None = None
        if self.policy is not None and self.directory is not None:
            resolved = resolve_policy(self.policy, self.directory, now)
        levels = tuple(
            m.RingLevel(
                strategy=m.RingStrategy(level.strategy.value),
                ring_timeout_seconds=level.ring_timeout_seconds,
                delay_seconds=level.delay_seconds,
                responders=tuple(
                    m.Responder(str(r.member_id), r.name, r.numbers) for r in level.responders
                ),
            )
            for level in (resolved.levels if resolved else ())
        )
        repeat = resolved.repeat_count if resolved else 0
        if self.repeat_override is not None:
            repeat = self.repeat_override
        return replace(self.action, levels=levels, repeat_count=repeat)


@dataclass(frozen=True)
class RouterSource:
    """A router's pipeline with its targets read, valid for calls in [valid_from, valid_until)
    as long as the configuration revision it was read at stands."""

    router_id: uuid.UUID
    router_name: str
    config: RouterConfig
    after_hours: PreparedAction | None
    menu: tuple[tuple[str, PreparedAction], ...]  # (digit, action) in option order
    action: PreparedAction | None  # without a menu (or a menu skipped: its only option)
    valid_from: datetime
    valid_until: datetime
    revision: int = 0


async def load_source(
    session: AsyncSession,
    project_id: uuid.UUID,
    router: Router,
    now: datetime,
    until: datetime,
    revision: int = 0,
) -> RouterSource:
    """Read everything the router's calls between ``now`` and ``until`` need."""
    loader = _SourceLoader(session, project_id, now, until)
    config = RouterConfig.model_validate(router.config)
    after_hours = None
    if config.business_hours is not None:
        after_hours = await loader.action(config.business_hours.after_hours_action, config)
    menu = []
    action = await loader.action(config.action, config) if config.action else None
    if config.menu is not None and config.menu.skip_single_option and len(config.menu.options) == 1:
        # Nothing to choose between: the caller goes straight to the one option.
        action = await loader.action(config.menu.options[0].action, config)
    elif config.menu is not None:
        for option in config.menu.options:
            menu.append((option.digit, await loader.action(option.action, config)))
    return RouterSource(
        router_id=router.id,
        router_name=router.name,
        config=config,
        after_hours=after_hours,
        menu=tuple(menu),
        action=action,
        valid_from=now,
        valid_until=until,
        revision=revision,
    )


async def prepared_action(
    session: AsyncSession,
    project_id: uuid.UUID,
    action: ActionIn,
    config: RouterConfig,
    now: datetime,
) -> m.Action:
    """One action with its targets read, for a call starting at ``now``."""
    loader = _SourceLoader(session, project_id, now, None)
    return (await loader.action(action, config)).at(now)


def build_snapshot(
    source: RouterSource,
    router_number: str,
    caller: str,
    contact: Caller | None,
    now: datetime,
) -> m.Snapshot:
    """One call's snapshot, at ``now``: business hours decided, ring targets resolved."""
    config = source.config
    after_hours = None
    if config.business_hours and not in_business_hours(config.business_hours, now):
        after_hours = source.after_hours.at(now) if source.after_hours else None
    menu = None
    if config.menu is not None and source.menu:
        menu = m.Menu(
            prompt=prompt(config.menu.prompt) or m.Prompt(),
            options=tuple(m.MenuOption(digit, action.at(now)) for digit, action in source.menu),
            timeout_seconds=config.menu.timeout_seconds,
            max_attempts=config.menu.max_attempts,
            default_digit=config.menu.default_digit,
            invalid_prompt=prompt(config.menu.invalid_prompt),
        )
    action = source.action.at(now) if source.action else None
    screening = config.screening
    defaults = _DEFAULTS
    ringing = config.ringing
    return m.Snapshot(
        router_id=str(source.router_id),
        router_name=source.router_name,
        router_number=router_number,
        caller=caller,
        caller_name=contact.name if contact else None,
        caller_labels=tuple(contact.labels) if contact else (),
        greeting=prompt(config.greeting),
        screening=m.Screening(
            blocklist=frozenset(screening.blocklist),
            allowlist=frozenset(screening.allowlist) if screening.allowlist is not None else None,
            blocked_message=prompt(screening.blocked_message),
            not_allowed_message=prompt(
                screening.not_allowed_message, defaults.screening.not_allowed_message
            )
            or defaults.screening.not_allowed_message,
            pin=screening.pin,
            pin_prompt=prompt(screening.pin_prompt, defaults.screening.pin_prompt)
            or defaults.screening.pin_prompt,
            pin_attempts=screening.pin_attempts,
        ),
        after_hours=after_hours,
        menu=menu,
        action=action,
        ringing=m.Ringing(
            mode=ringing.mode,
            hold_music_url=ringing.hold_music_url,
            require_accept=ringing.require_accept,
            accept_prompt=prompt(ringing.accept_prompt, defaults.ringing.accept_prompt)
            or defaults.ringing.accept_prompt,
            between_attempts=prompt(ringing.between_attempts_message),
            deadline_seconds=ringing.deadline_seconds,
            level_delay_seconds=ringing.level_delay_seconds,
            caller_id=ringing.caller_id,
        ),
        voicemail=m.VoicemailSettings(
            greeting=prompt(config.voicemail.greeting, defaults.voicemail.greeting)
            or defaults.voicemail.greeting,
            max_length_seconds=config.voicemail.max_length_seconds,
            transcribe=config.voicemail.transcribe,
        ),
        fallback=config.fallback,
        no_answer_message=prompt(config.no_answer_message, defaults.no_answer_message)
        or defaults.no_answer_message,
        no_one_available_message=prompt(
            config.no_one_available_message, defaults.no_one_available_message
        )
        or defaults.no_one_available_message,
        alert=m.AlertSettings(
            enabled=config.alert.enabled,
            urgency=config.alert.urgency,
            auto_resolve_on_call_end=config.alert.auto_resolve_on_call_end,
        ),
    )


_DEFAULTS = m.Snapshot(router_id="", router_name="", router_number="", caller="")


class _SourceLoader:
    def __init__(
        self,
        session: AsyncSession,
        project_id: uuid.UUID,
        now: datetime,
        until: datetime | None,
    ) -> None:
        """``until``: the end of the window the actions must answer for; None: ``now`` only."""
        self.session = session
        self.project_id = project_id
        self.now = now
        self.until = until
        self.loader = DirectoryLoader(session, project_id)

    async def action(self, action: ActionIn, config: RouterConfig) -> PreparedAction:
        kind = action.type
        label = action.label or ""
        if kind == m.ActionKind.MESSAGE:
            return PreparedAction(m.Action(kind, label=label, message=prompt(action.message)))
        if kind == m.ActionKind.VOICEMAIL:
            if action.target is None:
                return PreparedAction(m.Action(kind, label=label, urgency=action.urgency))
            # The message is left for a target: the alert is raised for it, under its name.
            return PreparedAction(
                m.Action(
                    kind,
                    label=label or await self._name(action.target.type, action.target.id),
                    target_type=action.target.type.value,
                    target_id=str(action.target.id),
                    urgency=action.urgency,
                )
            )
        if kind == m.ActionKind.FORWARD:
            return PreparedAction(
                m.Action(kind, label=label or str(action.number), number=action.number)
            )
        if kind == m.ActionKind.SIP:
            trunk = await self._scoped(SipTrunk, action.sip_trunk_id)
            uri = trunk.uri if trunk else ""
            return PreparedAction(
                m.Action(kind, label=label or (trunk.name if trunk else ""), sip_uri=uri)
            )
        if kind == m.ActionKind.BOT:
            bot = await self._scoped(Bot, action.bot_id)
            if bot is None:
                return PreparedAction(m.Action(m.ActionKind.BOT, label=label, stream_url=""))
            return PreparedAction(
                m.Action(
                    kind,
                    label=label or bot.name,
                    stream_url=bot.websocket_url,
                    stream_parameters=tuple(sorted(bot.parameters.items())),
                )
            )
        return await self.ring_action(action, config)

    async def ring_action(self, action: ActionIn, config: RouterConfig) -> PreparedAction:
        assert action.target is not None
        target = action.target
        policy, name = await self._policy_for(action)
        directory = None
        if policy is not None:
            directory = await self.loader.directory(policy, self.now, self.until)
        return PreparedAction(
            m.Action(
                m.ActionKind.RING,
                label=action.label or name,
                target_type=target.type.value,
                target_id=str(target.id),
                urgency=action.urgency,
            ),
            policy=policy,
            directory=directory,
            repeat_override=config.ringing.repeat_count,
        )

    async def _policy_for(self, action: ActionIn) -> tuple[PolicySpec | None, str]:
        """The escalation policy a ring target stands for, and a name for people."""
        assert action.target is not None
        target = action.target
        single = {
            TargetType.TEAM: TargetKind.TEAM,
            TargetType.SCHEDULE: TargetKind.SCHEDULE,
            TargetType.MEMBER: TargetKind.MEMBER,
        }
        if target.type == TargetType.ESCALATION_POLICY:
            policy = await self._scoped(EscalationPolicy, target.id)
            return (policy_spec(policy), policy.name) if policy else (None, "")
        if target.type == TargetType.SERVICE:
            service = await self._scoped(Service, target.id)
            if service is None or service.escalation_policy_id is None:
                return None, service.name if service else ""
            policy = await self._scoped(EscalationPolicy, service.escalation_policy_id)
            return (policy_spec(policy), service.name) if policy else (None, service.name)
        if target.type == TargetType.TEAM:
            team = await self._scoped(Team, target.id)
            if team is not None and team.default_escalation_policy_id is not None:
                policy = await self._scoped(EscalationPolicy, team.default_escalation_policy_id)
                if policy is not None:
                    return policy_spec(policy), team.name
        # A team without a policy, a schedule or a member: one level, rung as the action says.
        level = Level(
            targets=(EngineTarget(single[target.type], target.id),),
            strategy=PolicyStrategy(action.strategy.value),
            ring_timeout_seconds=action.ring_timeout_seconds,
        )
        return PolicySpec(levels=(level,)), await self._name(target.type, target.id)

    async def _scoped(self, model: type[Any], object_id: uuid.UUID | None) -> Any:
        if object_id is None:
            return None
        row = await self.session.get(model, object_id)
        if row is None or row.project_id != self.project_id:
            return None
        return row

    async def _name(self, kind: TargetType, object_id: uuid.UUID) -> str:
        model = {
            TargetType.ESCALATION_POLICY: EscalationPolicy,
            TargetType.SERVICE: Service,
            TargetType.TEAM: Team,
            TargetType.SCHEDULE: Schedule,
            TargetType.MEMBER: Member,
        }[kind]
        row = await self._scoped(model, object_id)
        return str(row.name) if row is not None else ""
