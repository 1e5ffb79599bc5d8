from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from callroute.api.deps import API_PREFIX, ClockDep, Ctx, Session, require
from callroute.auth.principal import Principal
from callroute.calls.schemas import CallOut
from callroute.providers.simulator.script import Script
from callroute.simulated_calls.schemas import SimulatedCallIn, SimulatedOutboundCallIn
from callroute.simulated_calls.service import place_call, place_outbound_call

router = APIRouter(prefix=f"{API_PREFIX}/simulator", tags=["simulator"])
Writer = Annotated[Principal, Depends(require("calls:write"))]


@router.post(
    "/calls",
    status_code=201,
    response_model=CallOut,
    response_model_by_alias=True,
    summary="Place a simulated call to one of the project's simulator numbers",
)
async def simulate_call(
    data: SimulatedCallIn, principal: Writer, session: Session, clock: ClockDep, ctx: Ctx
) -> CallOut:
    applied = await place_call(
        session,
        to_number=data.to,
        from_number=data.from_,
        script=data.script(),
        now=clock.now(),
        project_id=principal.project_id,
    )
    ctx.kick_runner()
    return CallOut.model_validate(applied.call)


@router.post(
    "/outbound-calls",
    status_code=201,
    response_model=CallOut,
    response_model_by_alias=True,
    summary="Place a simulated call from one of the project's simulator numbers",
)
async def simulate_outbound_call(
    data: SimulatedOutboundCallIn, principal: Writer, session: Session, clock: ClockDep, ctx: Ctx
) -> CallOut:
    script = Script(phones={**data.phones, data.to: data.callee}, hangup_after=data.hangup_after)
    applied = await place_outbound_call(
        session,
        from_number=data.from_,
        to_number=data.to,
        script=script,
        now=clock.now(),
        project_id=principal.project_id,
    )
    ctx.kick_runner()
    return CallOut.model_validate(applied.call)
