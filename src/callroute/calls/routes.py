from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from callroute.api.deps import API_PREFIX, ClockDep, Ctx, Session, require
from callroute.api.pagination import Page, page_of
from callroute.auth.principal import Principal
from callroute.calls import recordings
from callroute.calls.repository import CallRepository
from callroute.calls.schemas import (
    CallDetailOut,
    CallListQuery,
    CallLogCreate,
    CallOut,
    CallUpdate,
    EventListQuery,
    EventOut,
    LegOut,
    RecordingOut,
)
from callroute.calls.service import CallService
from callroute.validation import found

router = APIRouter(prefix=f"{API_PREFIX}/calls", tags=["calls"])

Reader = Annotated[Principal, Depends(require("calls:read"))]
Writer = Annotated[Principal, Depends(require("calls:write"))]


@router.post(
    "",
    status_code=201,
    response_model=CallOut,
    response_model_by_alias=True,
    summary="Log a call another phone system handled",
)
async def log_call(
    data: CallLogCreate, principal: Writer, session: Session, clock: ClockDep
) -> CallOut:
    call = await CallService(session, principal.project_id, clock).log(data)
    return CallOut.model_validate(call)


@router.patch(
    "/{call_id}",
    response_model=CallOut,
    response_model_by_alias=True,
    summary="Follow a call up: member, contact, summary, handled, billing, references",
)
async def update_call(
    call_id: str, data: CallUpdate, principal: Writer, session: Session, clock: ClockDep
) -> CallOut:
    call = await CallService(session, principal.project_id, clock).update(call_id, data)
    return CallOut.model_validate(call)


@router.get(
    "",
    response_model=Page[CallOut],
    response_model_by_alias=True,
    summary="List calls, newest first",
)
async def list_calls(
    query: Annotated[CallListQuery, Query()], principal: Reader, session: Session
) -> Page[CallOut]:
    result = await CallRepository(session, principal.project_id).page(
        query.filters(), query.sort_spec(), query.decoded_cursor(), query.limit
    )
    return page_of(CallOut, result)


@router.get("/{call_id}", response_model=CallDetailOut, summary="A call with its legs")
async def get_call(call_id: str, principal: Reader, session: Session) -> CallDetailOut:
    repo = CallRepository(session, principal.project_id)
    call = await found(repo, call_id, "call")
    return CallDetailOut.model_validate(
        {
            **CallOut.model_validate(call).model_dump(),
            "legs": [LegOut.model_validate(leg) for leg in await repo.legs(call.id)],
            "recordings": [RecordingOut.model_validate(r) for r in await repo.recordings(call.id)],
        }
    )


@router.get(
    "/{call_id}/events", response_model=Page[EventOut], summary="The call's timeline, in order"
)
async def call_events(
    call_id: str, query: Annotated[EventListQuery, Query()], principal: Reader, session: Session
) -> Page[EventOut]:
    repo = CallRepository(session, principal.project_id)
    call = await found(repo, call_id, "call")
    result = await repo.events(
        call.id, query.filters(), query.sort_spec(), query.decoded_cursor(), query.limit
    )
    return page_of(EventOut, result)


AUDIO_TYPES: dict[str, dict[str, str]] = {"audio/mpeg": {}, "audio/wav": {}}


@router.get(
    "/{call_id}/recordings/{recording_id}/audio",
    response_class=Response,
    responses={200: {"content": AUDIO_TYPES, "description": "The recording's audio"}},
    summary="A recording's audio, fetched from the provider with the project's connection",
)
async def recording_audio(
    call_id: str, recording_id: str, principal: Reader, session: Session, ctx: Ctx
) -> Response:
    source = await recordings.recording_source(session, principal.project_id, call_id, recording_id)
    await session.close()  # the provider is asked with no transaction open
    return audio_response(await recordings.recording_audio(source, ctx.provider_env))


def audio_response(audio: recordings.Audio) -> Response:
    # A project's voicemail: kept by no cache between the server and the one who asked.
    return Response(
        audio.body, media_type=audio.content_type, headers={"Cache-Control": "private, no-store"}
    )
