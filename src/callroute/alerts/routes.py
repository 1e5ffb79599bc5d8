"""Alerts: list, read, acknowledge, resolve."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from callroute.alerts.schemas import AlertListQuery, AlertOut, ResolveIn
from callroute.alerts.service import AlertService
from callroute.api.deps import API_PREFIX, ClockDep, Session, require
from callroute.api.pagination import Page, page_of
from callroute.auth.principal import Principal

router = APIRouter(prefix=f"{API_PREFIX}/alerts", tags=["alerts"])
Reader = Annotated[Principal, Depends(require("alerts:read"))]
Writer = Annotated[Principal, Depends(require("alerts:write"))]


@router.get(
    "",
    response_model=Page[AlertOut],
    response_model_by_alias=True,
    summary="List alerts, newest first",
)
async def list_alerts(
    query: Annotated[AlertListQuery, Query()], principal: Reader, session: Session
) -> Page[AlertOut]:
    result = await AlertService(session, principal.project_id).page(
        query.filters(), query.sort_spec(), query.decoded_cursor(), query.limit
    )
    return page_of(AlertOut, result)


@router.get("/{alert_id}", response_model=AlertOut, summary="Get an alert")
async def get_alert(alert_id: str, principal: Reader, session: Session) -> AlertOut:
    return AlertOut.model_validate(await AlertService(session, principal.project_id).get(alert_id))


@router.post("/{alert_id}/acknowledge", response_model=AlertOut, summary="Acknowledge")
async def acknowledge_alert(
    alert_id: str, principal: Writer, session: Session, clock: ClockDep
) -> AlertOut:
    alert = await AlertService(session, principal.project_id).acknowledge(alert_id, clock.now())
    return AlertOut.model_validate(alert)


@router.post("/{alert_id}/resolve", response_model=AlertOut, summary="Resolve")
async def resolve_alert(
    alert_id: str,
    principal: Writer,
    session: Session,
    clock: ClockDep,
    data: ResolveIn | None = None,
) -> AlertOut:
    reason = data.reason if data else ResolveIn().reason
    alert = await AlertService(session, principal.project_id).resolve(alert_id, reason, clock.now())
    return AlertOut.model_validate(alert)
