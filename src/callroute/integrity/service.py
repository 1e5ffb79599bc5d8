"""Deleting something that others point at: refuse with the list (409), or, when asked with
``force``, remove the references and report exactly what was removed."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.errors import Conflict
from callroute.integrity.repository import Reference, ReferenceRepository

_TARGET_COLUMN = {"member": "member_id", "team": "team_id", "schedule": "schedule_id"}


class IntegrityService:
    def __init__(self, session: AsyncSession, project_id: uuid.UUID) -> None:
        self.session = session
        self.project_id = project_id
        self.refs = ReferenceRepository(session, project_id)

    async def references(self, kind: str, object_id: uuid.UUID) -> list[Reference]:
        found = await self.refs.router_references(object_id)
        if kind == "member":
            found += await self.refs.member_references(object_id)
        elif kind in ("team", "schedule"):
            found += await self.refs.policy_targets(_TARGET_COLUMN[kind], object_id)
        elif kind == "escalation_policy":
            found += await self.refs.policy_references(object_id)
        return found

    async def release(
        self, kind: str, object_id: uuid.UUID, label: str, *, force: bool
    ) -> list[Reference]:
        """Make ``object_id`` deletable. Without ``force`` any reference is a 409 that lists
        them all; with it they are removed and returned. A router that uses the object is
        never changed behind the user's back: that stays a 409 until the router is edited."""
        found = await self.references(kind, object_id)
        if not found:
            return []
        routers = [r for r in found if r.type == "router"]
        if not force or routers:
            blockers = routers if force else found
            names = ", ".join(sorted({f"{r.type} {r.name!r}" for r in blockers}))
            hint = (
                "edit those routers first"
                if force
                else "remove those references first, or repeat with ?force=true to remove them"
                if not routers
                else "edit those routers first"
            )
            raise Conflict(
                f"{label} is still referenced by {names}; {hint}",
                details=[r.as_detail() for r in blockers],
            )
        if kind == "member":
            await self._remove_member(object_id)
        elif kind in ("team", "schedule"):
            await self._remove_targets(_TARGET_COLUMN[kind], object_id)
        elif kind == "escalation_policy":
            await self.refs.unset_policy(object_id)
        return found

    async def _remove_member(self, member_id: uuid.UUID) -> None:
        for team in await self.refs.teams_with_member(member_id):
            team.memberships = [m for m in team.memberships if m.member_id != member_id]
            for position, membership in enumerate(team.memberships):
                membership.position = position
        for schedule in await self.refs.schedules_with_member(member_id):
            for layer in schedule.layers:
                # Slot positions are part of the slot's key; the gaps left here keep the
                # order and avoid renumbering keys in place.
                layer.members = [s for s in layer.members if s.member_id != member_id]
            # A rotation with nobody left in it cannot say who is on call; drop it.
            schedule.layers = [layer for layer in schedule.layers if layer.members]
            for position, layer in enumerate(schedule.layers):
                layer.position = position
        await self.refs.delete_overrides_of(member_id)
        await self._remove_targets("member_id", member_id)

    async def _remove_targets(self, column: str, target_id: uuid.UUID) -> None:
        for policy in await self.refs.policies_targeting(column, target_id):
            for level in policy.levels:
                level.targets = [t for t in level.targets if getattr(t, column) != target_id]
            await self.session.flush()
            for level in policy.levels:
                for position, target in enumerate(level.targets):
                    target.position = position
            # A level with no targets would ring nobody and only delay the next level.
            policy.levels = [level for level in policy.levels if level.targets]
            for position, level in enumerate(policy.levels):
                level.position = position
        await self.session.flush()
