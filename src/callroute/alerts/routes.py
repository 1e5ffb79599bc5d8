from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, ClassVar

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime, Field

from callroute.alerts.repository import AlertRepository
from callroute.alerts.service import AlertLifecycle
from callroute.api.deps import API_PREFIX, ClockDep, Session, require
from callroute.api.pagination import ListQuery, Page, page_of
from callroute.api.schemas import RequestModel, ResponseModel, StrictStr
from callroute.auth.principal import Principal
from callroute.calls.runtime import alert_summary
from callroute.outgoing_webhooks import delivery as webhooks
from callroute.validation import found


class AlertOut(ResponseModel):
    id: uuid.UUID
    call_id: uuid.UUID | None
    router_id: uuid.UUID | None
    summary: str
    status: str
    urgency: str | None
    target_type: str | None
    target_id: str | None
    acknowledged_by_id: uuid.UUID | None = Field(serialization_alias="acknowledged_by")
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    resolved_reason: str | None
    recording_url: str | None
    transcript: str | None
    created_at: datetime
    updated_at: datetime


class AlertListQuery(ListQuery):
    sort_fields: ClassVar[tuple[str, ...]] = ("created_at",)
    default_sort: ClassVar[str] = "-created_at"
    status: StrictStr | None = Field(default=None, pattern="^(triggered|acknowledged|resolved)$")
    router_id: uuid.UUID | None = None
    created_after: AwareDatetime | None = None
    created_before: AwareDatetime | None = None


class ResolveIn(RequestModel):
    reason: StrictStr = Field(default="resolved by hand", max_length=500)


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
    result = await AlertRepository(session, principal.project_id).page(
        query.filters(), query.sort_spec(), query.decoded_cursor(), query.limit
    )
    return page_of(AlertOut, result)


@router.get("/{alert_id}", response_model=AlertOut, summary="Get an alert")
async def get_alert(alert_id: str, principal: Reader, session: Session) -> AlertOut:
    return AlertOut.model_validate(
        await found(AlertRepository(session, principal.project_id), alert_id, "alert")
    )


@router.post("/{alert_id}/acknowledge", response_model=AlertOut, summary="Acknowledge")
async def acknowledge_alert(
    alert_id: str, principal: Writer, session: Session, clock: ClockDep
) -> AlertOut:
    alert = await found(AlertRepository(session, principal.project_id), alert_id, "alert")
    lifecycle = AlertLifecycle(session, principal.project_id)
    lifecycle.require_open(alert)
    if lifecycle.acknowledge(alert, None, clock.now()):
        await webhooks.enqueue(
            session, principal.project_id, "alert.acknowledged", alert_summary(alert), clock.now()
        )
    return AlertOut.model_validate(alert)


@router.post("/{alert_id}/resolve", response_model=AlertOut, summary="Resolve")
async def resolve_alert(
    alert_id: str,
    principal: Writer,
    session: Session,
    clock: ClockDep,
    data: ResolveIn | None = None,
) -> AlertOut:
    alert = await found(AlertRepository(session, principal.project_id), alert_id, "alert")
    reason = data.reason if data else ResolveIn().reason
    if AlertLifecycle(session, principal.project_id).resolve(alert, reason, clock.now()):
        await webhooks.enqueue(
            session, principal.project_id, "alert.resolved", alert_summary(alert), clock.now()
        )
    return AlertOut.model_validate(alert)
