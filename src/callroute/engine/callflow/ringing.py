"""Ringing responders: levels, rounds, attempts, accepting, and the timers in between.

A level's *sequence* is its responders' (responder, number) pairs, responder by responder. An
*attempt* rings one pair (sequential, random) or the whole sequence (simultaneous);
``state.position`` is the index of the next pair to ring. Legs of earlier attempts are always
finished before the next attempt starts, so "the attempt's legs" are simply the ringing ones.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from callroute.engine.callflow.fallback import NOBODY_ANSWERED, NOBODY_AVAILABLE, fall_back
from callroute.engine.callflow.model import (
    Action,
    Bridge,
    CallerId,
    CallStatus,
    Digits,
    Hold,
    Leg,
    LegAnswered,
    LegEnded,
    LegRinging,
    LegStatus,
    Phase,
    ProviderError,
    Responder,
    RingLegs,
    RingLevel,
    RingMode,
    RingStrategy,
    Say,
    Snapshot,
)
from callroute.engine.callflow.step_context import (
    ACCEPT_TIMEOUT,
    DEADLINE,
    LEVEL_DELAY,
    MAX_DURATION,
    RING_TIMEOUT,
    RINGING_STATUSES,
    Ctx,
)

# A responder who picked up is hearing the accept prompt; the ring timeout must not cut them
# off, so an answered leg gets this long (from the pick-up) to press 1.
ACCEPT_TIMEOUT_SECONDS = 30

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class LevelRef:
    round: int
    level: int
    skipped: tuple[tuple[int, int], ...]  # (round, level) of empty levels passed over


def caller_id(snapshot: Snapshot) -> str:
    if snapshot.ringing.caller_id is CallerId.CALLER:
        return snapshot.caller
    return snapshot.router_number


def sequence(level: RingLevel, order: tuple[int, ...]) -> tuple[tuple[Responder, str], ...]:
    return tuple(
        (level.responders[i], number) for i in order for number in level.responders[i].numbers
    )


def responder_order(level: RingLevel, round_: int, index: int, now: datetime) -> tuple[int, ...]:
    order = list(range(len(level.responders)))
    if level.strategy is RingStrategy.RANDOM:
        # Seeded from the inputs so that replaying the same events gives the same order.
        micros = (now - _EPOCH) // timedelta(microseconds=1)
        rng = random.Random(micros + round_ * 1000 + index)  # noqa: S311 - fairness, not secrecy
        rng.shuffle(order)
    return tuple(order)


def find_level(action: Action, round_: int, level: int) -> LevelRef | None:
    """The first level at or after (round_, level) with someone to ring."""
    skipped: list[tuple[int, int]] = []
    for r in range(round_, action.repeat_count + 1):
        for index in range(level if r == round_ else 0, len(action.levels)):
            if any(responder.numbers for responder in action.levels[index].responders):
                return LevelRef(r, index, tuple(skipped))
            skipped.append((r, index))
    return None


# --- starting and advancing -------------------------------------------------------------------


def start_ringing(ctx: Ctx, action: Action) -> None:
    first = find_level(action, 0, 0)
    if first is None:
        ctx.emit(Say(ctx.snapshot.no_one_available_message))
        ctx.note("nobody_available")
        fall_back(ctx, NOBODY_AVAILABLE)
        return
    settings = ctx.snapshot.ringing
    ctx.raise_alert()
    ctx.update(status=CallStatus.RINGING_RESPONDERS, phase=Phase.RINGING)
    if settings.mode is RingMode.HOLD:
        ctx.emit(Hold(settings.hold_music_url))
    if settings.deadline_seconds is not None:
        ctx.arm(DEADLINE, settings.deadline_seconds)
    _enter_level(ctx, first)


def _action(ctx: Ctx) -> Action:
    action = ctx.state.action
    assert action is not None, "ringing without an action"
    return action


def _level(ctx: Ctx) -> RingLevel:
    return _action(ctx).levels[ctx.state.level]


def _enter_level(ctx: Ctx, ref: LevelRef) -> None:
    for round_, index in ref.skipped:
        ctx.note("level_skipped", round=round_, level=index)
    if ref.round != ctx.state.round:
        ctx.note("round_started", round=ref.round)
    level = _action(ctx).levels[ref.level]
    order = responder_order(level, ref.round, ref.level, ctx.now)
    ctx.update(round=ref.round, level=ref.level, position=0, order=order)
    ctx.note("level_started", round=ref.round, level=ref.level, strategy=level.strategy.value)
    _ring_attempt(ctx)


def _ring_attempt(ctx: Ctx) -> None:
    state, settings = ctx.state, ctx.snapshot.ringing
    level = _level(ctx)
    pairs = sequence(level, state.order)
    start = state.position
    count = len(pairs) - start if level.strategy is RingStrategy.SIMULTANEOUS else 1
    legs = tuple(
        Leg(
            leg_id=f"r{state.round}-l{state.level}-a{start}-n{i}",
            member_id=responder.member_id,
            member_name=responder.name,
            number=number,
            level=state.level,
            round=state.round,
        )
        for i, (responder, number) in enumerate(pairs[start : start + count])
    )
    ctx.update(legs=state.legs + legs, position=start + count, phase=Phase.RINGING)
    ctx.emit(
        RingLegs(
            legs=legs,
            timeout_seconds=level.ring_timeout_seconds,
            mode=settings.mode,
            caller_id=caller_id(ctx.snapshot),
            require_accept=settings.require_accept,
            accept_prompt=settings.accept_prompt,
            hold_music_url=settings.hold_music_url,
        )
    )
    for leg in legs:
        ctx.note(
            "leg_dialing",
            leg_id=leg.leg_id,
            member_id=leg.member_id,
            member_name=leg.member_name,
            number=leg.number,
            level=leg.level,
            round=leg.round,
        )
    ctx.disarm(ACCEPT_TIMEOUT)
    ctx.arm(RING_TIMEOUT, level.ring_timeout_seconds)


def _check_attempt(ctx: Ctx) -> None:
    if ctx.state.phase is Phase.RINGING and not ctx.ringing_legs():
        _attempt_failed(ctx)


def _attempt_failed(ctx: Ctx) -> None:
    state = ctx.state
    if state.position < len(sequence(_level(ctx), state.order)):
        _between_attempts(ctx, pause=False)
        _ring_attempt(ctx)
        return
    following = find_level(_action(ctx), state.round, state.level + 1)
    if following is None:
        ctx.note("all_levels_exhausted", round=state.round)
        fall_back(ctx, NOBODY_ANSWERED)
        return
    override = ctx.snapshot.ringing.level_delay_seconds
    delay = override if override is not None else _level(ctx).delay_seconds
    if delay <= 0:
        _between_attempts(ctx, pause=False)
        _enter_level(ctx, following)
        return
    _between_attempts(ctx, pause=True)
    ctx.update(phase=Phase.LEVEL_PAUSE)
    ctx.arm(LEVEL_DELAY, delay)
    ctx.note("level_pause", round=state.round, level=state.level, seconds=delay)


def _between_attempts(ctx: Ctx, *, pause: bool) -> None:
    settings = ctx.snapshot.ringing
    if settings.between_attempts is not None:
        ctx.emit(Say(settings.between_attempts))
    # A Say ends the hold music, and a pause has no ringback: the caller must never hear silence.
    resumes_hold = settings.between_attempts is not None and settings.mode is RingMode.HOLD
    if pause or resumes_hold:
        ctx.emit(Hold(settings.hold_music_url))


# --- timers -----------------------------------------------------------------------------------


def on_ring_timeout(ctx: Ctx) -> None:
    unanswered = tuple(leg for leg in ctx.ringing_legs() if leg.status is not LegStatus.ANSWERED)
    for leg in unanswered:
        ctx.note("ring_timeout", leg_id=leg.leg_id, member_id=leg.member_id)
    ctx.cancel(unanswered, LegStatus.NO_ANSWER)
    _check_attempt(ctx)


def on_accept_timeout(ctx: Ctx) -> None:
    answered = tuple(leg for leg in ctx.ringing_legs() if leg.status is LegStatus.ANSWERED)
    for leg in answered:
        ctx.note("accept_timeout", leg_id=leg.leg_id, member_id=leg.member_id)
    ctx.cancel(answered, LegStatus.NO_ANSWER)
    _check_attempt(ctx)


def on_level_delay(ctx: Ctx) -> None:
    following = find_level(_action(ctx), ctx.state.round, ctx.state.level + 1)
    if following is None:  # the pause was only entered with a level to go to
        fall_back(ctx, NOBODY_ANSWERED)
        return
    _enter_level(ctx, following)


def on_deadline(ctx: Ctx) -> None:
    ctx.note("deadline_reached", round=ctx.state.round, level=ctx.state.level)
    ctx.cancel(ctx.ringing_legs(), LegStatus.CANCELED)
    fall_back(ctx, NOBODY_ANSWERED)


# --- leg events -------------------------------------------------------------------------------


def _ringing_leg(ctx: Ctx, leg_id: str) -> Leg | None:
    leg = ctx.leg(leg_id)
    return leg if leg is not None and leg.status in RINGING_STATUSES else None


def on_leg_ringing(ctx: Ctx, event: LegRinging) -> None:
    leg = ctx.leg(event.leg_id)
    if leg is None or leg.status is not LegStatus.DIALING:
        ctx.ignore(event)
        return
    ctx.set_leg(leg.leg_id, LegStatus.RINGING)
    ctx.note("leg_ringing", leg_id=leg.leg_id, member_id=leg.member_id)


def on_leg_answered(ctx: Ctx, event: LegAnswered) -> None:
    leg = ctx.leg(event.leg_id)
    if leg is None:
        ctx.ignore(event)
    elif event.machine:
        _machine_answered(ctx, event, leg)
    elif not ctx.snapshot.ringing.require_accept:
        accept(ctx, leg)
    elif leg.status in (LegStatus.DIALING, LegStatus.RINGING) and ctx.state.phase is Phase.RINGING:
        ctx.set_leg(leg.leg_id, LegStatus.ANSWERED)
        ctx.arm(ACCEPT_TIMEOUT, ACCEPT_TIMEOUT_SECONDS)
        ctx.note("leg_answered", leg_id=leg.leg_id, member_id=leg.member_id)
    else:
        ctx.ignore(event)


def _machine_answered(ctx: Ctx, event: LegAnswered, leg: Leg) -> None:
    if leg.status not in RINGING_STATUSES:
        ctx.ignore(event)
        return
    ctx.note("machine_answered", leg_id=leg.leg_id, member_id=leg.member_id)
    ctx.cancel((leg,), LegStatus.NO_ANSWER)
    _check_attempt(ctx)


def on_leg_digits(ctx: Ctx, event: Digits) -> None:
    assert event.leg_id is not None
    leg = ctx.leg(event.leg_id)
    if leg is not None and event.digits == "1":
        accept(ctx, leg)
        return
    leg = _ringing_leg(ctx, event.leg_id)
    if leg is None:
        ctx.ignore(event)
        return
    if event.digits:
        ctx.note("leg_declined", leg_id=leg.leg_id, member_id=leg.member_id, digit=event.digits)
        ctx.cancel((leg,), LegStatus.DECLINED)
        _skip_responder(ctx, leg.member_id)
    else:
        # Typically a personal voicemail that picked up and never pressed 1.
        ctx.note("leg_not_accepted", leg_id=leg.leg_id, member_id=leg.member_id)
        ctx.cancel((leg,), LegStatus.NO_ANSWER)
    _check_attempt(ctx)


def _skip_responder(ctx: Ctx, member_id: str) -> None:
    """A responder who said no is not rung on their other numbers in this level."""
    ctx.cancel(
        tuple(leg for leg in ctx.ringing_legs() if leg.member_id == member_id),
        LegStatus.CANCELED,
    )
    pairs = sequence(_level(ctx), ctx.state.order)
    position = ctx.state.position
    while position < len(pairs) and pairs[position][0].member_id == member_id:
        position += 1
    ctx.update(position=position)


def accept(ctx: Ctx, leg: Leg) -> None:
    state = ctx.state
    if leg.leg_id == state.answered_leg:
        return  # a repeated accept of the leg already bridged
    taken = state.answered_leg is not None or state.phase is not Phase.RINGING
    if taken or leg.status not in RINGING_STATUSES:
        _too_late(ctx, leg)
        return
    ctx.set_leg(leg.leg_id, LegStatus.ACCEPTED)
    ctx.update(
        answered_by=leg.member_id,
        answered_leg=leg.leg_id,
        answered_at=ctx.now,
        status=CallStatus.ANSWERED,
        phase=Phase.BRIDGED,
    )
    ctx.emit(Bridge(leg.leg_id))
    ctx.cancel(ctx.ringing_legs(), LegStatus.CANCELED)
    ctx.acknowledge(leg.member_id)
    ctx.disarm(RING_TIMEOUT, ACCEPT_TIMEOUT, DEADLINE, LEVEL_DELAY)
    ctx.arm(MAX_DURATION, ctx.snapshot.max_call_seconds)
    ctx.note(
        "leg_accepted",
        leg_id=leg.leg_id,
        member_id=leg.member_id,
        member_name=leg.member_name,
        number=leg.number,
    )


def _too_late(ctx: Ctx, leg: Leg) -> None:
    """Someone else took the call, or this leg was already given up on: hang the leg up."""
    ctx.note("accepted_too_late", leg_id=leg.leg_id, member_id=leg.member_id)
    status = LegStatus.CANCELED if leg.status in RINGING_STATUSES else leg.status
    ctx.cancel((leg,), status)


def on_leg_ended(ctx: Ctx, event: LegEnded) -> None:
    leg = ctx.leg(event.leg_id)
    if leg is None:
        ctx.ignore(event)
    elif leg.status is LegStatus.ACCEPTED:
        ctx.set_leg(leg.leg_id, LegStatus.COMPLETED)
        ctx.note("responder_hung_up", leg_id=leg.leg_id, member_id=leg.member_id)
        ctx.end(CallStatus.COMPLETED, "responder hung up", hangup=True)
    elif leg.status in RINGING_STATUSES:
        # An outcome that is not an ending would leave the leg live forever.
        outcome = event.outcome if event.outcome.finished else LegStatus.FAILED
        ctx.set_leg(leg.leg_id, outcome)
        ctx.note("leg_ended", leg_id=leg.leg_id, member_id=leg.member_id, outcome=outcome.value)
        _check_attempt(ctx)
    else:
        ctx.ignore(event)


def on_leg_error(ctx: Ctx, event: ProviderError) -> None:
    assert event.leg_id is not None
    leg = ctx.leg(event.leg_id)
    if leg is None or leg.status.finished:
        ctx.ignore(event)
        return
    ctx.note("leg_error", leg_id=leg.leg_id, member_id=leg.member_id, message=event.message)
    on_leg_ended(ctx, LegEnded(leg.leg_id, LegStatus.FAILED))
