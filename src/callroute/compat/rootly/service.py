"""Live call routers, read and written as callroute's own routers.

A create makes a native router (through ``RouterService``, with every rule of the native API)
and claims its phone number; an update writes only the parts of the router document that the
sent attributes map to. Nothing is stored apart from the router and its number.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.clock import Clock
from callroute.compat.fields import native_fields
from callroute.compat.rootly import render, translate
from callroute.compat.rootly.numbers import NUMBER_FIELDS, RouterNumbers, attribute
from callroute.compat.rootly.query import ListParams
from callroute.compat.rootly.repository import DirectoryLookups, LiveCallRouterRepository
from callroute.compat.rootly.schemas import (
    DEFAULT_CALLER_GREETING,
    DEFAULT_WAITING_MUSIC_URL,
    AttributesIn,
    CreateAttributes,
    GenerateNumberQuery,
    Kind,
    UpdateAttributes,
)
from callroute.compat.rootly.targets import TargetResolver
from callroute.compat.rootly.translate import ROUTING_ATTRIBUTES, View
from callroute.errors import Conflict, ValidationFailed
from callroute.models import Router
from callroute.providers.base import ProviderEnv
from callroute.routers.repository import RouterRepository
from callroute.routers.schemas import RouterConfig, RouterCreate, RouterUpdate, TargetType
from callroute.routers.service import RouterService
from callroute.validation import validation_failed

# View fields written as sent; the others need translating first.
_PLAIN = (
    "kind",
    "caller_greeting",
    "voicemail_greeting",
    "unavailable_responder_message",
    "waiting_music_url",
    "sent_to_voicemail_delay",
    "should_redirect_to_voicemail_on_no_answer",
    "escalation_level_delay_in_seconds",
    "should_auto_resolve_alert_on_call_end",
    "calling_tree_enabled",
    "calling_tree_prompt",
)
# Attributes Rootly's schema never allows to be null.
_NOT_NULL = frozenset(
    {
        "kind",
        "enabled",
        "name",
        "country_code",
        "phone_type",
        "voicemail_greeting",
        "should_redirect_to_voicemail_on_no_answer",
        "should_auto_resolve_alert_on_call_end",
        "calling_tree_enabled",
        "paging_targets",
    }
)
_EVERYTHING = frozenset({*_PLAIN, "paging_targets", "alert_urgency_id"})


class LiveCallRouterService:
    def __init__(
        self,
        session: AsyncSession,
        project_id: uuid.UUID,
        clock: Clock,
        env: ProviderEnv | None = None,
    ) -> None:
        """``env``: for numbers of connections that talk to a provider's API (Twilio)."""
        self.session = session
        self.project_id = project_id
        self.clock = clock
        self.routers = RouterService(session, project_id, clock)
        self.repo = LiveCallRouterRepository(session, project_id)
        self.lookups = DirectoryLookups(self.repo)
        self.numbers = RouterNumbers(session, project_id, clock, self.lookups, env)

    async def page(self, params: ListParams) -> tuple[list[dict[str, Any]], int]:
        rows, total = await self.repo.page(
            params.filters, params.sort, params.offset, params.page_size
        )
        return await self._resources(rows), total

    async def get(self, ref: str) -> dict[str, Any]:
        return (await self._resources([await self.routers.get(ref)]))[0]

    async def create(self, attrs: CreateAttributes, *, may_claim: bool) -> dict[str, Any]:
        sent = set(attrs.model_fields_set)
        view = await self._requested(View(), attrs, sent)
        if "waiting_music_url" not in sent:
            view = replace(view, waiting_music_url=DEFAULT_WAITING_MUSIC_URL)
        if "caller_greeting" not in sent:
            view = replace(view, caller_greeting=DEFAULT_CALLER_GREETING)
        config = translate.write(RouterConfig(), view, _EVERYTHING)
        number = await self.numbers.for_new_router(
            attrs.country_code, attrs.phone_type, attrs.phone_number, may_claim=may_claim
        )
        data = _native(
            RouterCreate,
            {
                **config,
                "name": attrs.name,
                "enabled": True if attrs.enabled is None else attrs.enabled,
                "phone_number_ids": [str(number.id)],
            },
        )
        with native_fields(NUMBER_FIELDS):  # another router's number is refused here
            router = await self.routers.create(data)
        return (await self._resources([router]))[0]

    async def update(self, ref: str, attrs: UpdateAttributes) -> dict[str, Any]:
        router = await self.routers.get(ref)
        sent = set(attrs.model_fields_set)
        if attrs.escalation_policy_trigger_params is None:
            sent.discard("escalation_policy_trigger_params")  # null: the first target stays
        await self._check_number(router, attrs, sent)
        base = RouterConfig.model_validate(router.config)
        before = translate.read(base, await self._service_kinds([base]))
        if sent & ROUTING_ATTRIBUTES and before.inexpressible:
            raise Conflict(
                f"this router's calls cannot be routed as a live call router describes them: "
                f"{before.inexpressible}; change its routing with PATCH /api/v1/routers/{ref}"
            )
        view = await self._requested(before, attrs, sent)
        config = translate.write(base, view, frozenset(sent))
        stored = base.model_dump(mode="json")
        changes: dict[str, Any] = {k: v for k, v in config.items() if v != stored.get(k)}
        if attrs.name is not None:
            changes["name"] = attrs.name
        if attrs.enabled is not None:
            changes["enabled"] = attrs.enabled
        updated = await self.routers.update(ref, _native(RouterUpdate, changes))
        return (await self._resources([updated]))[0]

    async def delete(self, ref: str) -> dict[str, Any]:
        """The deleted router, as Rootly answers; its number stays in the project, unrouted."""
        gone = await self.get(ref)
        await self.routers.delete(ref)
        return gone

    async def generate_number(self, query: GenerateNumberQuery) -> str:
        return await self.numbers.offer(query.country_code, query.phone_type)

    async def _requested(self, before: View, attrs: AttributesIn, sent: set[str]) -> View:
        """``before`` with the sent attributes written over it, checked as a whole."""
        for name in sorted(sent & _NOT_NULL):
            if getattr(attrs, name) is None:
                raise ValidationFailed(f"{attribute(name)}: cannot be null", field=attribute(name))
        resolver = TargetResolver(self.session, self.project_id, await self.lookups.urgency_slugs())
        changes: dict[str, Any] = {name: getattr(attrs, name) for name in _PLAIN if name in sent}
        if "alert_urgency_id" in sent:
            changes["alert_urgency"] = resolver.urgency(
                attrs.alert_urgency_id, attribute("alert_urgency_id")
            )
        if attrs.paging_targets is not None:
            changes["paging_targets"] = await resolver.targets(
                attrs.paging_targets, attribute("paging_targets")
            )
        trigger = attrs.escalation_policy_trigger_params
        if trigger is not None:
            field = attribute("escalation_policy_trigger_params")
            targets = changes.get("paging_targets", before.paging_targets)
            if attrs.paging_targets is not None:
                first = targets[0]
                if (first.type, first.id) != (trigger.target_type, trigger.id):
                    raise ValidationFailed(
                        f"{field}: the legacy trigger names the first paging target, "
                        f"{first.type.value} {first.id}; send the same or leave it out",
                        field=field,
                    )
            else:
                # A client that knows only the legacy field changes the first target.
                await resolver.require(trigger.target_type, trigger.id, f"{field}.id")
                urgency = targets[0].urgency if targets else None
                first = translate.Target(trigger.target_type, trigger.id, urgency)
                changes["paging_targets"] = (first, *targets[1:])
        view = replace(before, **changes)
        # A router Rootly cannot describe is only checked once its routing is rewritten.
        urgency_only = "alert_urgency_id" in sent and not before.inexpressible
        if sent & ROUTING_ATTRIBUTES or urgency_only:
            _check_routing(view)
        return view

    async def _check_number(self, router: Router, attrs: UpdateAttributes, sent: set[str]) -> None:
        """The number is fixed: ``country_code`` and ``phone_type`` may only repeat it."""
        numbers = await RouterRepository(self.session, self.project_id).numbers_of([router.id])
        number = next(iter(numbers[router.id]), None)
        for name, value, stored in (
            ("country_code", attrs.country_code, number.country if number else None),
            ("phone_type", attrs.phone_type, number.number_type if number else None),
        ):
            if name not in sent or value is None:
                continue
            field = attribute(name)
            if number is None:
                raise ValidationFailed(
                    f"{field}: this router has no phone number; attach one with "
                    "PATCH /api/v1/numbers/{id}",
                    field=field,
                )
            if value.value != stored:
                raise ValidationFailed(
                    f"{field}: the router's number {number.number} is {stored}; a router's "
                    "number cannot be changed after creation",
                    field=field,
                )

    async def _resources(self, rows: Sequence[Router]) -> list[dict[str, Any]]:
        numbers = await RouterRepository(self.session, self.project_id).numbers_of(
            [r.id for r in rows]
        )
        configs = [RouterConfig.model_validate(r.config) for r in rows]
        kinds = await self._service_kinds(configs)
        urgency_ids = {slug: uid for uid, slug in (await self.lookups.urgency_slugs()).items()}
        return [
            render.resource(
                row, translate.read(config, kinds), next(iter(numbers[row.id]), None), urgency_ids
            )
            for row, config in zip(rows, configs, strict=True)
        ]

    async def _service_kinds(self, configs: Sequence[RouterConfig]) -> dict[uuid.UUID, str]:
        ids = set()
        for config in configs:
            options = config.menu.options if config.menu else []
            for action in [config.action, *(o.action for o in options)]:
                if action and action.target and action.target.type == TargetType.SERVICE:
                    ids.add(action.target.id)
        return await self.lookups.service_kinds(ids)


def _trigger_changes(sent: set[str]) -> frozenset[str]:
    # The legacy trigger rewrites the first paging target.
    return (
        frozenset({"paging_targets"}) if "escalation_policy_trigger_params" in sent else frozenset()
    )


def _check_routing(view: View) -> None:
    """Rootly's rules for who is paged: live routers page someone; several targets (or a
    forced calling tree) need the prompt callers choose from; every target has an urgency,
    its own or the router's."""
    targets = view.paging_targets
    if not targets and (view.kind == Kind.LIVE or view.calling_tree_enabled):
        field = attribute("paging_targets")
        raise ValidationFailed(f"{field}: at least one paging target is needed", field=field)
    if (len(targets) > 1 or view.calling_tree_enabled) and view.calling_tree_prompt is None:
        field = attribute("calling_tree_prompt")
        raise ValidationFailed(
            f"{field}: required with more than one paging target or calling_tree_enabled: "
            "callers hear it to choose (press 1 for the first target, 2 for the second...)",
            field=field,
        )
    if view.alert_urgency is None:
        for index, target in enumerate(targets):
            if target.urgency is None:
                field = attribute(f"paging_targets[{index}].alert_urgency_id")
                raise ValidationFailed(
                    f"{field}: required unless the router has an alert_urgency_id",
                    field=field,
                )


def _native(model: type[RouterCreate] | type[RouterUpdate], data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise validation_failed(exc.errors()) from exc
