"""Between VoiceLink's fields and a native router: the rules that tie the fields together,
and a router described as a routing.

A router's ``action`` gives the inbound mode (a forward, or a ring of the DID's owner, is 1
mobile; ``sip`` 2; ``bot`` 3), its ``outbound`` part the outbound mode, ``enabled`` the status.
Anything VoiceLink cannot express (a menu, ringing a team ...) reads as ``null``.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.bots.repository import BotRepository
from callroute.compat.voicelink.schemas import (
    InboundMode,
    OutboundMode,
    RoutingFields,
    RoutingOut,
)
from callroute.engine.callflow.model import ActionKind
from callroute.errors import ValidationFailed
from callroute.models import PhoneNumber, Router
from callroute.routers.schemas import RouterConfig, TargetType
from callroute.sip_trunks.repository import TrunkRepository

COMPANIONS = {
    "inbound_sip_trunk_id": ("for_inbound_call", InboundMode.SIP),
    "inbound_websocket_bot_id": ("for_inbound_call", InboundMode.BOT),
    "outbound_sip_trunk_id": ("for_outbound_call", OutboundMode.SIP),
    "outbound_websocket_bot_id": ("for_outbound_call", OutboundMode.BOT),
}


def did_field(data: RoutingFields) -> str | None:
    if data.did_id is not None:
        return "did_id"
    return "did_number" if data.did_number is not None else None


def check_fields(data: RoutingFields) -> None:
    """Each mode's companion id is required with it and refused with any other mode."""
    for field, (mode_field, mode) in COMPANIONS.items():
        chosen = getattr(data, mode_field)
        given = getattr(data, field) is not None
        if chosen == mode and not given:
            raise ValidationFailed(
                f"{field}: field required when {mode_field} is {mode.value}", field=field
            )
        if chosen != mode and given:
            raise ValidationFailed(
                f"{field}: only applies when {mode_field} is {mode.value}, not {chosen}",
                field=field,
            )
    if data.mobile_number is not None and data.for_inbound_call != InboundMode.MOBILE:
        raise ValidationFailed(
            f"mobile_number: only applies when for_inbound_call is 1, not {data.for_inbound_call}",
            field="mobile_number",
        )
    if data.did_id is not None and data.did_number is not None:
        raise ValidationFailed(
            "did_number: give either did_id or did_number, not both", field="did_number"
        )


async def routing_out(
    session: AsyncSession, project_id: uuid.UUID, router: Router, did: PhoneNumber
) -> RoutingOut:
    """The routing a router stands for, in VoiceLink's terms (ids as handles)."""
    config = RouterConfig.model_validate(router.config)
    bots, trunks = BotRepository(session, project_id), TrunkRepository(session, project_id)
    out: dict[str, Any] = {
        "id": router.handle,
        "router_id": router.id,
        "did_id": did.handle,
        "did_number": did.number,
        "connection_id": did.connection_id,
        "for_inbound_call": None,
        "for_outbound_call": None,
        "inbound_websocket_bot_id": None,
        "inbound_sip_trunk_id": None,
        "outbound_websocket_bot_id": None,
        "outbound_sip_trunk_id": None,
        "mobile_number": None,
        "status": 1 if router.enabled else 0,
        "created_at": router.created_at,
        "updated_at": router.updated_at,
    }
    action = config.action if config.menu is None else None
    if action is not None and action.type is ActionKind.FORWARD:
        out.update(for_inbound_call=InboundMode.MOBILE, mobile_number=action.number)
    elif (
        action is not None
        and action.type is ActionKind.RING
        and action.target is not None
        and action.target.type == TargetType.MEMBER
        and action.target.id == did.owner_id
    ):
        out.update(for_inbound_call=InboundMode.MOBILE)
    elif action is not None and action.type is ActionKind.SIP and action.sip_trunk_id:
        out.update(
            for_inbound_call=InboundMode.SIP,
            inbound_sip_trunk_id=await _handle(trunks, action.sip_trunk_id),
        )
    elif action is not None and action.type is ActionKind.BOT and action.bot_id:
        out.update(
            for_inbound_call=InboundMode.BOT,
            inbound_websocket_bot_id=await _handle(bots, action.bot_id),
        )
    outbound = config.outbound
    if outbound is not None and outbound.sip_trunk_id is not None:
        out.update(
            for_outbound_call=OutboundMode.SIP,
            outbound_sip_trunk_id=await _handle(trunks, outbound.sip_trunk_id),
        )
    elif outbound is not None and outbound.bot_id is not None:
        out.update(
            for_outbound_call=OutboundMode.BOT,
            outbound_websocket_bot_id=await _handle(bots, outbound.bot_id),
        )
    elif outbound is not None:
        out.update(for_outbound_call=OutboundMode.ONLY_ANSWER)
    return RoutingOut.model_validate(out)


async def _handle(repo: BotRepository | TrunkRepository, row_id: uuid.UUID) -> int | None:
    row = await repo.get(row_id)
    return row.handle if row is not None else None
