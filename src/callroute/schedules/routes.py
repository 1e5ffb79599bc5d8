from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from callroute.api.deps import API_PREFIX, ClockDep, Session, require
from callroute.api.pagination import Page, page_of
from callroute.auth.principal import Principal
from callroute.integrity.schemas import Deleted
from callroute.schedules.schemas import (
    CalendarQuery,
    MemberRef,
    OnCallOut,
    OnCallQuery,
    OverrideIn,
    OverrideListQuery,
    OverrideOut,
    ScheduleCreate,
    ScheduleListQuery,
    ScheduleOut,
    ScheduleUpdate,
    ShiftOut,
    ShiftsOut,
    ShiftsQuery,
)
from callroute.schedules.service import NamedShift, ScheduleService

router = APIRouter(prefix=f"{API_PREFIX}/schedules", tags=["schedules"])
member_calendar_router = APIRouter(prefix=f"{API_PREFIX}/members", tags=["schedules"])

Reader = Annotated[Principal, Depends(require("schedules:read"))]
Writer = Annotated[Principal, Depends(require("schedules:write"))]
CalendarReader = Annotated[Principal, Depends(require("schedules:read", allow_query_key=True))]
Force = Annotated[bool, Query(description="Also remove the policy targets that use it.")]
ICS = "text/calendar; charset=utf-8"


def _service(principal: Principal, session: Session, clock: ClockDep) -> ScheduleService:
    return ScheduleService(session, principal.project_id, clock)


def _shift(shift: NamedShift) -> ShiftOut:
    return ShiftOut(
        member=MemberRef(id=shift.member.id, name=shift.member.name),
        start=shift.start,
        end=shift.end,
    )


@router.post("", status_code=201, response_model=ScheduleOut, summary="Create a schedule")
async def create_schedule(
    data: ScheduleCreate, principal: Writer, session: Session, clock: ClockDep
) -> ScheduleOut:
    return ScheduleOut.model_validate(await _service(principal, session, clock).create(data))


@router.get("", response_model=Page[ScheduleOut], summary="List schedules")
async def list_schedules(
    query: Annotated[ScheduleListQuery, Query()],
    principal: Reader,
    session: Session,
    clock: ClockDep,
) -> Page[ScheduleOut]:
    result = await _service(principal, session, clock).page(query)
    return page_of(ScheduleOut, result)


@router.get("/{schedule_id}", response_model=ScheduleOut, summary="Get a schedule")
async def get_schedule(
    schedule_id: str, principal: Reader, session: Session, clock: ClockDep
) -> ScheduleOut:
    return ScheduleOut.model_validate(await _service(principal, session, clock).get(schedule_id))


@router.patch("/{schedule_id}", response_model=ScheduleOut, summary="Update a schedule")
async def update_schedule(
    schedule_id: str, data: ScheduleUpdate, principal: Writer, session: Session, clock: ClockDep
) -> ScheduleOut:
    schedule = await _service(principal, session, clock).update(schedule_id, data)
    return ScheduleOut.model_validate(schedule)


@router.delete("/{schedule_id}", response_model=Deleted, summary="Delete a schedule")
async def delete_schedule(
    schedule_id: str,
    principal: Writer,
    session: Session,
    clock: ClockDep,
    force: Force = False,
) -> Deleted:
    deleted, removed = await _service(principal, session, clock).delete(schedule_id, force=force)
    return Deleted.of(deleted, removed)


@router.get("/{schedule_id}/on-call", response_model=OnCallOut, summary="Who is on call")
async def schedule_on_call(
    schedule_id: str,
    query: Annotated[OnCallQuery, Query()],
    principal: Reader,
    session: Session,
    clock: ClockDep,
) -> OnCallOut:
    at, shift = await _service(principal, session, clock).on_call(schedule_id, query.at)
    if shift is None:
        return OnCallOut(at=at, member=None, shift=None)
    out = _shift(shift)
    return OnCallOut(at=at, member=out.member, shift=out)


@router.get(
    "/{schedule_id}/shifts",
    response_model=ShiftsOut,
    response_model_by_alias=True,
    summary="The rendered on-call timeline between two instants (at most 366 days)",
)
async def schedule_shifts(
    schedule_id: str,
    query: Annotated[ShiftsQuery, Query()],
    principal: Reader,
    session: Session,
    clock: ClockDep,
) -> ShiftsOut:
    shifts = await _service(principal, session, clock).shifts(schedule_id, query.start, query.end)
    return ShiftsOut(start=query.start, end=query.end, shifts=[_shift(s) for s in shifts])


@router.get(
    "/{schedule_id}/shifts.ics",
    response_class=Response,
    summary="The schedule's shifts as an iCalendar feed",
)
async def schedule_calendar(
    schedule_id: str,
    query: Annotated[CalendarQuery, Query()],
    principal: CalendarReader,
    session: Session,
    clock: ClockDep,
) -> Response:
    body = await _service(principal, session, clock).calendar(schedule_id, query.start, query.end)
    return Response(body, media_type=ICS)


@member_calendar_router.get(
    "/{member_id}/shifts.ics",
    response_class=Response,
    summary="A member's shifts across all schedules, as iCalendar",
)
async def member_calendar(
    member_id: str,
    query: Annotated[CalendarQuery, Query()],
    principal: CalendarReader,
    session: Session,
    clock: ClockDep,
) -> Response:
    body = await _service(principal, session, clock).member_calendar(
        member_id, query.start, query.end
    )
    return Response(body, media_type=ICS)


@router.post(
    "/{schedule_id}/overrides",
    status_code=201,
    response_model=OverrideOut,
    summary="Put someone on call for a while, over every layer",
)
async def create_override(
    schedule_id: str, data: OverrideIn, principal: Writer, session: Session, clock: ClockDep
) -> OverrideOut:
    override = await _service(principal, session, clock).add_override(schedule_id, data)
    return OverrideOut.model_validate(override)


@router.get(
    "/{schedule_id}/overrides",
    response_model=Page[OverrideOut],
    summary="List a schedule's overrides",
)
async def list_overrides(
    schedule_id: str,
    query: Annotated[OverrideListQuery, Query()],
    principal: Reader,
    session: Session,
    clock: ClockDep,
) -> Page[OverrideOut]:
    result = await _service(principal, session, clock).list_overrides(schedule_id, query)
    return page_of(OverrideOut, result)


@router.delete(
    "/{schedule_id}/overrides/{override_id}", status_code=204, summary="Remove an override"
)
async def delete_override(
    schedule_id: str, override_id: str, principal: Writer, session: Session, clock: ClockDep
) -> None:
    await _service(principal, session, clock).delete_override(schedule_id, override_id)
