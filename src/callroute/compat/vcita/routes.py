"""``/v3/communication/voice_calls``: vcita's VoiceCall endpoints over the core calls."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from callroute.api.deps import ClockDep, Session, get_principal
from callroute.auth.principal import Principal
from callroute.compat.vcita.errors import PREFIX, VcitaError
from callroute.compat.vcita.parsing import list_params, read_body, stats_params
from callroute.compat.vcita.schemas import (
    CreateVoiceCall,
    Envelope,
    TranscriptOut,
    UpdateVoiceCall,
    VoiceCallList,
    VoiceCallOut,
    VoiceCallStats,
    body_schema,
)
from callroute.compat.vcita.service import VoiceCallService, check_business

router = APIRouter(prefix=PREFIX, tags=["vcita voice calls"])


def _caller(permission: str) -> Callable[[Request], Coroutine[Any, Any, Principal]]:
    async def dependency(request: Request) -> Principal:
        principal = await get_principal(request)
        # A directory token names the business it acts for; a callroute key has one.
        on_behalf_of = request.headers.get("x-on-behalf-of")
        if on_behalf_of is not None:
            check_business(principal.project_id, on_behalf_of.strip(), "x-on-behalf-of")
        if not principal.can(permission):
            verb = "change" if permission.endswith(":write") else "read"
            raise VcitaError(
                f"this API key may not {verb} voice calls (it lacks {permission!r})",
                status=403,
                code="INSUFFICIENT_PERMISSIONS",
            )
        return principal

    return dependency


Reader = Annotated[Principal, Depends(_caller("calls:read"))]
Writer = Annotated[Principal, Depends(_caller("calls:write"))]


def _body(model: type[CreateVoiceCall] | type[UpdateVoiceCall]) -> dict[str, object]:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": body_schema(model)}},
        }
    }


@router.get("", response_model=Envelope[VoiceCallList], summary="Get all VoiceCalls")
async def list_voice_calls(
    request: Request, principal: Reader, session: Session, clock: ClockDep
) -> Envelope[VoiceCallList]:
    params = list_params(request)
    calls = await VoiceCallService(session, principal.project_id, clock).list(params)
    return Envelope(data=VoiceCallList(voice_calls=calls))


@router.post(
    "",
    response_model=Envelope[VoiceCallOut],
    summary="Create a VoiceCall",
    openapi_extra=_body(CreateVoiceCall),
)
async def create_voice_call(
    request: Request, principal: Writer, session: Session, clock: ClockDep
) -> Envelope[VoiceCallOut]:
    body = await read_body(request, CreateVoiceCall)
    call = await VoiceCallService(session, principal.project_id, clock).create(body)
    return Envelope(data=call)


@router.get(
    "/reports/voice_call_stats",
    response_model=Envelope[VoiceCallStats],
    summary="Counts of VoiceCalls per status",
)
async def voice_call_stats(
    request: Request, principal: Reader, session: Session, clock: ClockDep
) -> Envelope[VoiceCallStats]:
    params = stats_params(request)
    stats = await VoiceCallService(session, principal.project_id, clock).stats(params)
    return Envelope(data=stats)


@router.get("/{uid}", response_model=Envelope[VoiceCallOut], summary="Retrieve a VoiceCall")
async def get_voice_call(
    uid: str, principal: Reader, session: Session, clock: ClockDep
) -> Envelope[VoiceCallOut]:
    call = await VoiceCallService(session, principal.project_id, clock).get(uid)
    return Envelope(data=call)


@router.put(
    "/{uid}",
    response_model=Envelope[VoiceCallOut],
    summary="Update a VoiceCall",
    openapi_extra=_body(UpdateVoiceCall),
)
async def update_voice_call(
    uid: str, request: Request, principal: Writer, session: Session, clock: ClockDep
) -> Envelope[VoiceCallOut]:
    body = await read_body(request, UpdateVoiceCall)
    call = await VoiceCallService(session, principal.project_id, clock).update(uid, body)
    return Envelope(data=call)


@router.get(
    "/{uid}/transcript",
    response_model=Envelope[TranscriptOut],
    summary="Get the transcript of a VoiceCall",
)
async def voice_call_transcript(
    uid: str, principal: Reader, session: Session, clock: ClockDep
) -> Envelope[TranscriptOut]:
    transcript = await VoiceCallService(session, principal.project_id, clock).transcript(uid)
    return Envelope(data=transcript)
