from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.alerts.repository import AlertRepository
from callroute.db.pagination import Cursor, PageResult, SortSpec
from callroute.errors import Conflict
from callroute.ids import new_id
from callroute.models import Alert
from callroute.outgoing_webhooks import delivery as webhooks
from callroute.validation import found


class AlertStatus:
    TRIGGERED = "triggered"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class AlertLifecycle:
    """The alert of a call: raised once, acknowledged by whoever answers, resolved at the end
    when the router asks, with the voicemail recording and transcript attached."""

    def __init__(self, session: AsyncSession, project_id: uuid.UUID) -> None:
        self.session = session
        self.project_id = project_id

    async def for_call(self, call_id: uuid.UUID) -> Alert | None:
        return await AlertRepository(self.session, self.project_id).for_call(call_id)

    def raise_for_call(
        self,
        call_id: uuid.UUID,
        router_id: uuid.UUID | None,
        summary: str,
        urgency: str | None,
        target_type: str | None,
        target_id: str | None,
        now: datetime,
        existing: Alert | None,
    ) -> tuple[Alert, bool]:
        """Raise the call's alert once. ``existing``: the call's alert, as the caller found it
        (:meth:`for_call`). A new alert is returned, not added to the session, for the caller
        to write with the call's other new rows."""
        if existing is not None:
            return existing, False
        alert = Alert(
            id=new_id(),
            project_id=self.project_id,
            call_id=call_id,
            router_id=router_id,
            summary=summary[:500],
            status=AlertStatus.TRIGGERED,
            urgency=urgency,
            target_type=target_type,
            target_id=target_id,
            created_at=now,
            updated_at=now,
        )
        return alert, True

    def acknowledge(self, alert: Alert, member_id: uuid.UUID | None, now: datetime) -> bool:
        if alert.status != AlertStatus.TRIGGERED:
            return False
        alert.status = AlertStatus.ACKNOWLEDGED
        alert.acknowledged_by_id = member_id
        alert.acknowledged_at = now
        alert.updated_at = now
        return True

    def resolve(self, alert: Alert, reason: str, now: datetime) -> bool:
        if alert.status == AlertStatus.RESOLVED:
            return False
        alert.status = AlertStatus.RESOLVED
        alert.resolved_at = now
        alert.resolved_reason = reason
        alert.updated_at = now
        return True

    def require_open(self, alert: Alert) -> None:
        if alert.status == AlertStatus.RESOLVED:
            raise Conflict("the alert is already resolved")


class AlertService:
    """The alerts API: read, and acknowledge or resolve by hand (each telling the project's
    webhook subscribers, as the call path does)."""

    def __init__(self, session: AsyncSession, project_id: uuid.UUID) -> None:
        self.session = session
        self.project_id = project_id
        self.repo = AlertRepository(session, project_id)
        self.lifecycle = AlertLifecycle(session, project_id)

    async def page(
        self, filters: dict[str, Any], sort: SortSpec, cursor: Cursor | None, limit: int
    ) -> PageResult[Alert]:
        return await self.repo.page(filters, sort, cursor, limit)

    async def get(self, alert_id: str) -> Alert:
        return await found(self.repo, alert_id, "alert")

    async def acknowledge(
        self, alert_id: str, now: datetime, member_id: uuid.UUID | None = None
    ) -> Alert:
        """``member_id``: who acknowledged it (a console member); None for an API key."""
        alert = await self.get(alert_id)
        self.lifecycle.require_open(alert)
        if self.lifecycle.acknowledge(alert, member_id, now):
            await webhooks.enqueue(
                self.session, self.project_id, "alert.acknowledged", alert_summary(alert), now
            )
        return alert

    async def resolve(self, alert_id: str, reason: str, now: datetime) -> Alert:
        alert = await self.get(alert_id)
        if self.lifecycle.resolve(alert, reason, now):
            await webhooks.enqueue(
                self.session, self.project_id, "alert.resolved", alert_summary(alert), now
            )
        return alert


def alert_summary(alert: Any) -> dict[str, Any]:
    return {
        "alert_id": str(alert.id),
        "call_id": str(alert.call_id) if alert.call_id else None,
        "summary": alert.summary,
        "status": alert.status,
        "urgency": alert.urgency,
        "acknowledged_by": str(alert.acknowledged_by_id) if alert.acknowledged_by_id else None,
        "recording_url": alert.recording_url,
        "transcript": alert.transcript,
    }
