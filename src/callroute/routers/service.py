from __future__ import annotations

import uuid
from typing import Any

from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.bots.repository import BotRepository
from callroute.catalog.repository import ServiceRepository
from callroute.clock import Clock
from callroute.connections.repository import ConnectionRepository
from callroute.db.handles import HandleKind, next_handle
from callroute.db.pagination import PageResult
from callroute.db.repository import ScopedRepository
from callroute.errors import Conflict, ValidationFailed
from callroute.escalation_policies.repository import PolicyRepository
from callroute.members.repository import MemberRepository
from callroute.models import PhoneNumber, Router
from callroute.numbers.repository import NumberRepository
from callroute.projects.slugs import slugify
from callroute.routers.repository import RouterRepository
from callroute.routers.schemas import (
    CONFIG_FIELDS,
    ActionIn,
    OutboundIn,
    RouterConfig,
    RouterCreate,
    RouterListQuery,
    RouterUpdate,
    TargetType,
)
from callroute.schedules.repository import ScheduleRepository
from callroute.sip_trunks.repository import TrunkRepository
from callroute.teams.repository import TeamRepository
from callroute.urgencies.repository import UrgencyRepository
from callroute.validation import clean_labels, found, require_existing, validation_failed


class RouterService:
    def __init__(self, session: AsyncSession, project_id: uuid.UUID, clock: Clock) -> None:
        self.session = session
        self.repo = RouterRepository(session, project_id)
        self.project_id = project_id
        self.clock = clock

    async def create(self, data: RouterCreate, *, distinct_slug: bool = False) -> Router:
        """``distinct_slug`` gives a router whose name another router already slugs to a
        numbered slug (``hotline-2``) instead of refusing it: for APIs where names repeat."""
        await self._check(data)
        labels = clean_labels(data.labels)
        await self._connection(data.connection_id)
        slug = await self._free_slug(data.name, None, distinct=distinct_slug)
        now = self.clock.now()
        router = Router(
            project_id=self.project_id,
            handle=await next_handle(self.session, self.project_id, HandleKind.ROUTER),
            name=data.name,
            slug=slug,
            enabled=data.enabled,
            description=data.description,
            labels=labels,
            connection_id=data.connection_id,
            config=_config(data),
            created_at=now,
            updated_at=now,
        )
        self.repo.add(router)
        await self.session.flush()
        await self._attach(router, data.phone_number_ids)
        return router

    async def get(self, ref: str) -> Router:
        return await found(self.repo, ref, "router")

    async def page(self, query: RouterListQuery) -> PageResult[Router]:
        return await self.repo.page(
            query.filters(), query.sort_spec(), query.decoded_cursor(), query.limit
        )

    async def update(self, ref: str, data: RouterUpdate, *, distinct_slug: bool = False) -> Router:
        router = await self.get(ref)
        sent = data.model_fields_set
        for field in sent & {
            "name",
            "enabled",
            "description",
            "labels",
            "phone_number_ids",
            "screening",
            "ringing",
            "voicemail",
            "fallback",
            "alert",
        }:
            if getattr(data, field) is None:
                raise ValidationFailed(f"{field}: cannot be null", field=field)
        merged: dict[str, Any] = {
            **router.config,
            **{
                k: getattr(data, k).model_dump(mode="json")
                if hasattr(getattr(data, k), "model_dump")
                else getattr(data, k)
                for k in sent
                if k in CONFIG_FIELDS
            },
        }
        # Choosing a menu replaces the action and the other way round.
        if "menu" in sent and data.menu is not None and "action" not in sent:
            merged["action"] = None
        if "action" in sent and data.action is not None and "menu" not in sent:
            merged["menu"] = None
        merged.update(
            name=data.name or router.name,
            enabled=router.enabled if data.enabled is None else data.enabled,
            connection_id=data.connection_id if "connection_id" in sent else router.connection_id,
        )
        try:
            full = RouterCreate.model_validate(merged)
        except PydanticValidationError as exc:
            raise validation_failed(exc.errors()) from exc
        await self._check(full)
        if data.labels is not None:
            router.labels = clean_labels(data.labels)
        if data.name is not None and data.name != router.name:
            router.slug = await self._free_slug(data.name, router.id, distinct=distinct_slug)
            router.name = data.name
        if data.description is not None:
            router.description = data.description
        if "connection_id" in sent:
            await self._connection(data.connection_id)
            router.connection_id = data.connection_id
        router.enabled = full.enabled
        router.config = _config(full)
        if data.phone_number_ids is not None:
            await self._attach(router, data.phone_number_ids)
        elif "connection_id" in sent:
            await self._attach(router, [n.id for n in await self._numbers_of(router)])
        router.updated_at = self.clock.now()
        await self.session.flush()
        return router

    async def delete(self, ref: str) -> uuid.UUID:
        router = await self.get(ref)
        await self.repo.delete(router)  # its numbers stay, detached (ON DELETE SET NULL)
        return router.id

    async def _attach(self, router: Router, number_ids: list[uuid.UUID]) -> None:
        numbers = {
            n.id: n for n in await NumberRepository(self.session, self.project_id).among(number_ids)
        }
        for index, number_id in enumerate(number_ids):
            field = f"phone_number_ids[{index}]"
            number = numbers.get(number_id)
            if number is None:
                raise ValidationFailed(
                    f"{field}: no phone number {number_id} in this project", field=field
                )
            if router.connection_id not in (None, number.connection_id):
                raise ValidationFailed(
                    f"{field}: {number.number} belongs to connection {number.connection_id}, "
                    f"not to the router's connection {router.connection_id}",
                    field=field,
                )
            if number.router_id not in (None, router.id):
                raise Conflict(
                    f"{field}: {number.number} is already routed by router {number.router_id}",
                    field=field,
                )
        for number in await self._numbers_of(router):
            if number.id not in numbers:
                number.router_id = None
        for number in numbers.values():
            number.router_id = router.id
        await self.session.flush()

    async def _numbers_of(self, router: Router) -> list[PhoneNumber]:
        return await self.repo.numbers_routed_by(router.id)

    async def _connection(self, connection_id: uuid.UUID | None) -> None:
        if connection_id is not None:
            await require_existing(
                ConnectionRepository(self.session, self.project_id),
                [("connection_id", connection_id)],
                "connection",
            )

    async def _free_slug(self, name: str, router_id: uuid.UUID | None, *, distinct: bool) -> str:
        base = slugify(name, 190) or "router"
        slug, n = base, 1
        while (existing := await self.repo.by_slug(slug)) is not None and existing.id != router_id:
            if not distinct:
                raise Conflict(f"router {existing.id} already has the slug {slug!r}", field="name")
            n += 1
            slug = f"{base}-{n}"
        return slug

    async def _check(self, config: RouterConfig) -> None:
        """A menu or an action, and every id and urgency it names belongs to this project."""
        if (config.menu is None) == (config.action is None):
            field = "action" if config.action is None else "menu"
            raise ValidationFailed(f"{field}: give exactly one of `menu` or `action`", field=field)
        actions: list[tuple[str, ActionIn]] = []
        if config.action is not None:
            actions.append(("action", config.action))
        if config.menu is not None:
            actions += [
                (f"menu.options[{i}].action", o.action) for i, o in enumerate(config.menu.options)
            ]
        if config.business_hours is not None:
            actions.append(
                ("business_hours.after_hours_action", config.business_hours.after_hours_action)
            )
        urgencies = [("alert.urgency", config.alert.urgency)]
        for path, action in actions:
            urgencies.append((f"{path}.urgency", action.urgency))
            if action.target is not None:
                repo, noun = self._target_repo(action.target.type)
                await require_existing(repo, [(f"{path}.target.id", action.target.id)], noun)
            if action.sip_trunk_id is not None:
                await require_existing(
                    TrunkRepository(self.session, self.project_id),
                    [(f"{path}.sip_trunk_id", action.sip_trunk_id)],
                    "SIP trunk",
                )
            if action.bot_id is not None:
                await require_existing(
                    BotRepository(self.session, self.project_id),
                    [(f"{path}.bot_id", action.bot_id)],
                    "bot",
                )
        if config.outbound is not None:
            await self._check_outbound(config.outbound)
        slugs = UrgencyRepository(self.session, self.project_id)
        for path, slug in urgencies:
            if slug is not None and await slugs.by_slug(slug) is None:
                raise ValidationFailed(f"{path}: no urgency {slug!r} in this project", field=path)

    async def _check_outbound(self, outbound: OutboundIn) -> None:
        if outbound.sip_trunk_id is not None:
            await require_existing(
                TrunkRepository(self.session, self.project_id),
                [("outbound.sip_trunk_id", outbound.sip_trunk_id)],
                "SIP trunk",
            )
        if outbound.bot_id is not None:
            await require_existing(
                BotRepository(self.session, self.project_id),
                [("outbound.bot_id", outbound.bot_id)],
                "bot",
            )

    def _target_repo(self, kind: TargetType) -> tuple[ScopedRepository[Any], str]:
        repos: dict[TargetType, tuple[type[ScopedRepository[Any]], str]] = {
            TargetType.ESCALATION_POLICY: (PolicyRepository, "escalation policy"),
            TargetType.SERVICE: (ServiceRepository, "service"),
            TargetType.TEAM: (TeamRepository, "team"),
            TargetType.SCHEDULE: (ScheduleRepository, "schedule"),
            TargetType.MEMBER: (MemberRepository, "member"),
        }
        repo, noun = repos[kind]
        return repo(self.session, self.project_id), noun


def _config(data: RouterConfig) -> dict[str, Any]:
    return {k: v for k, v in data.model_dump(mode="json").items() if k in CONFIG_FIELDS}
