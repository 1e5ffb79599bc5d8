"""An escalation level, read as a OneUptime Incoming Call Policy Escalation Rule.

A rule's ``order`` is its level's position plus one: OneUptime numbers rules from 1 and allows
gaps, which positions keep. A level with several targets (made in the native API) shows its
first one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from callroute.compat.oneuptime.columns import Column, Columns, Kind
from callroute.compat.oneuptime.wire import JSON
from callroute.models import EscalationLevel, Project, Router

NOUN = "Incoming Call Policy Escalation Rule"

COLUMNS = Columns(
    NOUN,
    [
        Column("createdAt", Kind.DATE),
        Column("updatedAt", Kind.DATE),
        Column("projectId", Kind.ID),
        Column("project", Kind.RELATION, subfields=("name", "slug")),
        Column("incomingCallPolicyId", Kind.ID),
        Column("incomingCallPolicy", Kind.RELATION, subfields=("name",)),
        Column("name", Kind.TEXT),
        Column("description", Kind.TEXT),
        Column("order", Kind.NUMBER),
        Column("escalateAfterSeconds", Kind.NUMBER),
        Column("userId", Kind.ID),
        Column("user", Kind.RELATION, subfields=("name", "email")),
        Column("teamId", Kind.ID),
        Column("team", Kind.RELATION, subfields=("name",)),
        Column("onCallDutyPolicyScheduleId", Kind.ID),
        Column("onCallDutyPolicySchedule", Kind.RELATION, subfields=("name",)),
        Column("createdByUserId", Kind.ID),
        Column("createdByUser", Kind.RELATION, subfields=("name",)),
    ],
)

# target kind → (id column, relation column)
TARGET_COLUMNS = {
    "member": ("userId", "user"),
    "team": ("teamId", "team"),
    "schedule": ("onCallDutyPolicyScheduleId", "onCallDutyPolicySchedule"),
}


@dataclass(frozen=True)
class Directory:
    """Who and what rules point at, by id: for the related objects of a rule."""

    members: dict[uuid.UUID, JSON]  # {"_id", "name", "email"}
    teams: dict[uuid.UUID, JSON]
    schedules: dict[uuid.UUID, JSON]

    def lookup(self, kind: str, target_id: uuid.UUID) -> JSON | None:
        table = {"member": self.members, "team": self.teams, "schedule": self.schedules}[kind]
        return table.get(target_id)


def rule_document(
    level: EscalationLevel, router: Router, project: Project, directory: Directory
) -> JSON:
    doc: dict[str, Any] = {
        "_id": level.id,
        "createdAt": level.created_at,
        "updatedAt": level.updated_at,
        "projectId": router.project_id,
        "project": {"_id": project.id, "name": project.name, "slug": project.slug},
        "incomingCallPolicyId": router.id,
        "incomingCallPolicy": {"_id": router.id, "name": router.name},
        "name": level.name or None,
        "description": level.description or None,
        "order": level.position + 1,
        "escalateAfterSeconds": level.ring_timeout_seconds,
        "createdByUserId": None,
        "createdByUser": None,
    }
    for id_column, relation in TARGET_COLUMNS.values():
        doc[id_column] = None
        doc[relation] = None
    if level.targets:
        target = min(level.targets, key=lambda t: t.position)
        id_column, relation = TARGET_COLUMNS[target.kind]
        doc[id_column] = target.target_id
        doc[relation] = directory.lookup(target.kind, target.target_id)
    return doc
