"""The calls in progress as the live-calls page shows them: each with the phase a person
understands ("ringing level 2: Ann and Bob", "bridged to Bob"), read from the engine's state
of the call, and the simulated calls the "try it" form may place."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.console.live_repository import IN_PROGRESS, LiveRepository
from callroute.engine.callflow import codec
from callroute.engine.callflow import model as m
from callroute.models import Call

SHOWN = 100  # calls in progress on the page at most (a storm shows its newest)
_RINGING_LEGS = (m.LegStatus.DIALING, m.LegStatus.RINGING, m.LegStatus.ANSWERED)
_BRIDGED_TO = {
    m.ActionKind.FORWARD: "forwarded to {number}",
    m.ActionKind.SIP: "connected to SIP {sip_uri}",
    m.ActionKind.BOT: "connected to a bot",
}


@dataclass(frozen=True)
class LiveCall:
    id: uuid.UUID
    from_number: str
    to_number: str
    router: str | None
    started_at: datetime
    phase: str  # in words
    seconds: int  # elapsed when the page was drawn; the page counts on from started_at


def _names(legs: tuple[m.Leg, ...]) -> str:
    names = list(dict.fromkeys(leg.member_name for leg in legs))
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def phase_of(state: m.CallState, hold: bool) -> str:
    """What is happening to the caller now, in words."""
    action = state.action
    if state.phase == m.Phase.NEW:
        return "greeting"
    if state.phase == m.Phase.PIN:
        return "asked for the PIN"
    if state.phase == m.Phase.MENU:
        return "in the menu"
    if state.phase == m.Phase.DIALING:
        return "dialling"
    if state.phase == m.Phase.RINGING:
        level = f"ringing level {state.level + 1}"
        if state.round:
            level += f" (round {state.round + 1})"
        ringing = tuple(
            leg for leg in state.legs if leg.level == state.level and leg.status in _RINGING_LEGS
        )
        text = f"{level}: {_names(ringing)}" if ringing else level
        return f"on hold · {text}" if hold else text
    if state.phase == m.Phase.LEVEL_PAUSE:
        return f"waiting before level {state.level + 2}" + (" · on hold" if hold else "")
    if state.phase == m.Phase.BRIDGED:
        accepted = [leg for leg in state.legs if leg.leg_id == state.answered_leg]
        if accepted:
            return f"bridged to {accepted[0].member_name}"
        if action is not None and action.kind in _BRIDGED_TO:
            return _BRIDGED_TO[action.kind].format(number=action.number, sip_uri=action.sip_uri)
        return "connected"
    if state.phase == m.Phase.VOICEMAIL:
        return "recording voicemail"
    if state.phase == m.Phase.ENDING:
        return "playing a last message"
    return state.phase.value.replace("_", " ")


def phase_now(call: Call) -> str | None:
    """What is happening to the caller now, or None once the call has ended."""
    if not in_progress(call.status):
        return None
    state = codec.state_from_dict(call.state) if call.state else m.CallState()
    hold = (call.snapshot or {}).get("ringing", {}).get("mode") == m.RingMode.HOLD.value
    return phase_of(state, hold)


def live_call(call: Call, router: str | None, now: datetime) -> LiveCall:
    return LiveCall(
        id=call.id,
        from_number=call.from_number,
        to_number=call.to_number,
        router=router,
        started_at=call.started_at,
        phase=phase_now(call) or call.status,
        seconds=max(0, int((now - call.started_at).total_seconds())),
    )


async def calls_in_progress(
    session: AsyncSession, project_id: uuid.UUID, now: datetime
) -> list[LiveCall]:
    rows = await LiveRepository(session, project_id).calls_in_progress(SHOWN)
    return [live_call(call, router, now) for call, router in rows]


def in_progress(status: str) -> bool:
    return status in IN_PROGRESS


async def simulator_numbers(session: AsyncSession, project_id: uuid.UUID) -> list[tuple[str, str]]:
    return await LiveRepository(session, project_id).simulator_numbers()
