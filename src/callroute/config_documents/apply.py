"""Carry out a plan through the resources' own services, in the request's transaction: the
services keep every rule (a 409 for what is still referenced, unique slugs, owners), and a
failure part-way leaves nothing written, since the request's unit of work rolls back."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Set
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.bots.service import BotService
from callroute.catalog.service import CatalogService
from callroute.clock import Clock
from callroute.config_documents.export import Current
from callroute.config_documents.plan import Change, Plan
from callroute.config_documents.problems import join
from callroute.config_documents.repository import ConfigRepository
from callroute.config_documents.schema import KINDS, Document, ScheduleDoc, TeamDoc, objects_of
from callroute.config_documents.translate import (
    create_request,
    in_document_terms,
    update_request,
)
from callroute.contacts.service import ContactService
from callroute.crypto import SecretKeys
from callroute.errors import ApiError
from callroute.escalation_policies.service import PolicyService
from callroute.members.service import MemberService
from callroute.outgoing_webhooks.service import SubscriptionService
from callroute.routers.service import RouterService
from callroute.schedules.schemas import OverrideIn
from callroute.schedules.service import ScheduleService
from callroute.sip_trunks.service import TrunkService
from callroute.teams.schemas import TeamUpdate
from callroute.teams.service import TeamService
from callroute.urgencies.service import UrgencyService
from callroute.validation import validation_failed


@dataclass(frozen=True)
class Services:
    """Who writes each kind: the same services, with the same settings, as the API's routes."""

    session: AsyncSession
    project_id: uuid.UUID
    clock: Clock
    secret_keys: SecretKeys
    allow_private: bool
    actor: Set[str]

    def of(self, kind: str) -> Any:
        s, p, c = self.session, self.project_id, self.clock
        makers: dict[str, Callable[[], Any]] = {
            "urgencies": lambda: UrgencyService(s, p, c),
            "members": lambda: MemberService(s, p, c, actor=self.actor),
            "contacts": lambda: ContactService(s, p, c),
            "sip_trunks": lambda: TrunkService(s, p, c, self.secret_keys),
            "bots": lambda: BotService(s, p, c),
            "teams": lambda: TeamService(s, p, c),
            "schedules": lambda: ScheduleService(s, p, c),
            "escalation_policies": lambda: PolicyService(s, p, c),
            "services": lambda: CatalogService(s, p, c),
            "routers": lambda: RouterService(s, p, c),
            "webhook_subscriptions": lambda: SubscriptionService(
                s, p, c, secret_keys=self.secret_keys, allow_private=self.allow_private
            ),
        }
        return makers[kind]()


# Deleting these takes ``force``; the document never forces: a reference left is a 409.
_FORCEABLE = frozenset({"members", "teams", "schedules", "escalation_policies"})


class Applier:
    def __init__(self, services: Services, current: Current, desired: Document) -> None:
        self.services = services
        self.ids = dict(current.ids)
        self.desired = desired

    def resolve(self, kind: str, name: str) -> str:
        return self.ids[(kind, name)]

    async def run(self, plan: Plan) -> None:
        for kind in KINDS:
            for change in plan.of(kind, "create") + plan.of(kind, "change"):
                await self._guarded(change, self._write(change))
            if kind == "escalation_policies":
                await self._team_policies(plan)
        deletions = [c for c in plan.changes if c.action == "delete"]
        for change in deletions:
            if change.kind == "teams":  # its default policy may be going too
                await self._guarded(change, self._release_team(change.name))
        for change in deletions:
            await self._guarded(change, self._delete(change))

    async def _write(self, change: Change) -> None:
        kind, service = change.kind, self.services.of(change.kind)
        assert change.index is not None
        obj = objects_of(self.desired, kind)[change.index]
        if kind == "teams":  # its default policy is set once the policies are written
            obj = obj.model_copy(update={"default_escalation_policy": None})
        fields = {f.top for f in change.fields} - {"overrides", "default_escalation_policy"}
        if change.action == "create":
            row = await service.create(_built(lambda: create_request(kind, obj, self.resolve)))
            row = row[0] if isinstance(row, tuple) else row
            self.ids[(kind, change.name)] = str(row.slug if kind == "urgencies" else row.id)
        elif fields:
            request = _built(lambda: update_request(kind, obj, fields, self.resolve))
            await service.update(self.resolve(kind, change.name), request)
        if kind == "schedules" and (
            change.action == "create" or "overrides" in {f.top for f in change.fields}
        ):
            assert isinstance(obj, ScheduleDoc)
            await self._overrides(change.name, obj)

    async def _overrides(self, name: str, schedule: ScheduleDoc) -> None:
        service = ScheduleService(
            self.services.session, self.services.project_id, self.services.clock
        )
        schedule_id = self.resolve("schedules", name)
        repo = ConfigRepository(self.services.session, self.services.project_id)
        for row in await repo.overrides_of(uuid.UUID(schedule_id)):
            await service.delete_override(schedule_id, str(row.id))
        for override in schedule.overrides:
            await service.add_override(
                schedule_id,
                OverrideIn(
                    member_id=uuid.UUID(self.resolve("members", override.member)),
                    start=override.start,
                    end=override.end,
                ),
            )

    async def _team_policies(self, plan: Plan) -> None:
        for change in plan.of("teams", "create") + plan.of("teams", "change"):
            assert change.index is not None
            team = self.desired.teams[change.index]
            moved = "default_escalation_policy" in {f.top for f in change.fields}
            if moved or (change.action == "create" and team.default_escalation_policy):
                await self._guarded(change, self._set_team_policy(change.name, team))

    async def _set_team_policy(self, name: str, team: TeamDoc) -> None:
        policy = team.default_escalation_policy
        update = TeamUpdate(
            default_escalation_policy_id=None
            if policy is None
            else uuid.UUID(self.resolve("escalation_policies", policy))
        )
        await self.services.of("teams").update(self.resolve("teams", name), update)

    async def _release_team(self, name: str) -> None:
        update = TeamUpdate(default_escalation_policy_id=None)
        await self.services.of("teams").update(self.resolve("teams", name), update)

    async def _delete(self, change: Change) -> None:
        service = self.services.of(change.kind)
        ref = self.resolve(change.kind, change.name)
        if change.kind in _FORCEABLE:
            await service.delete(ref, force=False)
        else:
            await service.delete(ref)

    async def _guarded(self, change: Change, work: Awaitable[None]) -> None:
        """Run ``work``; a refusal names the object, at its path in the document."""
        try:
            await work
        except ApiError as exc:
            message = in_document_terms(exc.message)
            if change.index is None:  # a deletion: the object is not in the document
                field = f"{change.kind} {change.name!r}"
                text = f"{field}: {message}"
            else:
                field = join(f"{change.kind}[{change.index}]", in_document_terms(exc.field or ""))
                text = f"{field}: {_tail(message)}"
            error = type(exc)(
                text,
                field=field,
                code=exc.code,
                details=exc.details,
                retry_after=exc.retry_after,
            )
            raise error from exc


def _built(build: Callable[[], BaseModel]) -> BaseModel:
    try:
        return build()
    except PydanticValidationError as exc:  # checked before writing; a safety net all the same
        raise validation_failed(exc.errors()) from exc


def _tail(message: str) -> str:
    """A service's message without the field it starts with (the path says it)."""
    head, sep, rest = message.partition(": ")
    return rest if sep and " " not in head else message
