"""``/api/v2/voicelink/call-routing``: create and replace (as VoiceLink documents them), and
a read of one routing (callroute's addition, so that read-only keys and scripts can see what a
routing holds)."""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from callroute.api.deps import ClockDep, Session, require
from callroute.auth.principal import Principal
from callroute.compat.voicelink.schemas import (
    MAX_ID,
    Envelope,
    RoutingCreate,
    RoutingOut,
    RoutingReplace,
)
from callroute.compat.voicelink.service import RoutingService
from callroute.errors import NotFound, ValidationFailed

PREFIX = "/api/v2/voicelink"

router = APIRouter(prefix=f"{PREFIX}/call-routing", tags=["VoiceLink call routing"])
Reader = Annotated[Principal, Depends(require("routers:read"))]
Writer = Annotated[Principal, Depends(require("routers:write"))]

_POSITIVE = re.compile(r"^[1-9][0-9]{0,18}$")


def routing_id_of(text: str) -> int:
    """Ids in the path are validated as strictly as in bodies: a positive integer."""
    if not _POSITIVE.match(text):
        raise ValidationFailed(
            f"routing_id: {text!r} is not a positive integer", field="routing_id"
        )
    value = int(text)
    if value > MAX_ID:
        raise NotFound(f"no routing {value} in this project", field="routing_id")
    return value


@router.post(
    "",
    response_model=Envelope[RoutingOut],
    summary="Create VoiceLink call routing",
    description="Routes one DID: inbound 1 mobile / 2 SIP / 3 WebSocket bot, outbound 2 SIP / "
    "3 WebSocket bot / 4 only-answer. Answers 200 with the routing in `data`.",
)
async def create_routing(
    data: RoutingCreate, principal: Writer, session: Session, clock: ClockDep
) -> Envelope[RoutingOut]:
    service = RoutingService(session, principal.project_id, clock)
    return Envelope[RoutingOut](data=await service.create(data))


@router.post(
    "/{routing_id}",
    response_model=Envelope[RoutingOut],
    summary="Replace VoiceLink call routing",
    description="Replaces the routing: send every field you want to keep (`for_inbound_call`, "
    "`for_outbound_call` and `status` are required; the DID stays when none is sent).",
)
async def replace_routing(
    routing_id: str, data: RoutingReplace, principal: Writer, session: Session, clock: ClockDep
) -> Envelope[RoutingOut]:
    service = RoutingService(session, principal.project_id, clock)
    return Envelope[RoutingOut](data=await service.replace(routing_id_of(routing_id), data))


@router.get(
    "/{routing_id}",
    response_model=Envelope[RoutingOut],
    summary="Get VoiceLink call routing (callroute addition)",
)
async def get_routing(
    routing_id: str,
    principal: Reader,
    session: Session,
    clock: ClockDep,
    connection_id: Annotated[uuid.UUID | None, Query()] = None,
    connection_id_legacy: Annotated[uuid.UUID | None, Query(alias="connectionId")] = None,
) -> Envelope[RoutingOut]:
    service = RoutingService(session, principal.project_id, clock)
    routing = await service.get(routing_id_of(routing_id), connection_id or connection_id_legacy)
    return Envelope[RoutingOut](data=routing)
