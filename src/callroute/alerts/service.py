from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.alerts.repository import AlertRepository
from callroute.errors import Conflict
from callroute.ids import new_id
from callroute.models import Alert


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
