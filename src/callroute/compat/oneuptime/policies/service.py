"""Incoming Call Policies, written onto native routers and escalation policies.

A policy created here is a router that rings an escalation policy of its own (whose levels are
the policy's escalation rules), with OneUptime's call flow: its greeting, the policy's number
as the caller id responders see, "Connecting you to the next available engineer" between
attempts, and OneUptime's messages instead of voicemail when nobody answers.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.auth.principal import Principal
from callroute.clock import Clock
from callroute.compat.fields import native_fields
from callroute.compat.oneuptime.memory import InMemoryCollection
from callroute.compat.oneuptime.policies.documents import NOUN, policy_document, repeat_of
from callroute.compat.oneuptime.policies.labels import label_names
from callroute.compat.oneuptime.policies.schemas import (
    GREETING,
    NEXT_ENGINEER,
    NO_ANSWER,
    NO_ONE_AVAILABLE,
    READ_ONLY,
    PolicyData,
)
from callroute.compat.oneuptime.repository import OneUptimeRepository, rung_policy_id
from callroute.compat.oneuptime.translate import (
    IGNORED_ON_UPDATE,
    not_found,
    nothing_to_update,
    refuse_read_only,
    reject_nulls,
    validate,
)
from callroute.compat.oneuptime.wire import JSON
from callroute.errors import ValidationFailed
from callroute.escalation_policies.schemas import PolicyFields, PolicyUpdate
from callroute.escalation_policies.service import PolicyService
from callroute.integrity.service import IntegrityService
from callroute.models import EscalationPolicy, Router
from callroute.numbers.repository import NumberRepository
from callroute.numbers.schemas import NumberClaim
from callroute.numbers.service import NumberService
from callroute.routers.schemas import RouterCreate, RouterUpdate
from callroute.routers.service import RouterService

# Native field → the OneUptime column a native error should name.
_RENAMES = {
    "name": "name",
    "description": "description",
    "labels": "labels",
    "connection_id": "projectCallSMSConfigId",
    "phone_number_ids": "routingPhoneNumber",
}
_NOT_NULL = (
    "name",
    "isEnabled",
    "repeatPolicyIfNoOneAnswers",
    "repeatPolicyIfNoOneAnswersTimes",
)
_MESSAGES = {
    "greeting_message": "greeting",
    "no_answer_message": "no_answer_message",
    "no_one_available_message": "no_one_available_message",
}
# The number a policy routes: claimed through the policy's connection.
_CLAIM_RENAMES = {"connection_id": "projectCallSMSConfigId", "number": "routingPhoneNumber"}
# The escalation policy that holds a policy's rules.
_RULES_RENAMES = {"repeat_count": "repeatPolicyIfNoOneAnswersTimes"}
RULES_SUFFIX = " (incoming call policy)"


class PolicyCollection(InMemoryCollection):
    def __init__(self, session: AsyncSession, principal: Principal, clock: Clock) -> None:
        self.session = session
        self.project_id = principal.project_id
        self.clock = clock
        self.repo = OneUptimeRepository(session, self.project_id)
        self.routers = RouterService(session, self.project_id, clock)
        self.policies = PolicyService(session, self.project_id, clock)

    # -- reading ------------------------------------------------------------------------------

    async def documents(self) -> list[JSON]:
        return await self._documents(await self.repo.all_routers())

    async def _documents(self, routers: list[Router]) -> list[JSON]:
        numbers = await self.repo.numbers_of(routers)
        policies = await self.repo.policies(
            {pid for r in routers if (pid := rung_policy_id(r)) is not None}
        )
        project = await self.repo.project()
        connections = await self.repo.connections()
        documents = []
        for router in routers:
            rules_id = rung_policy_id(router)
            rules = policies.get(rules_id) if rules_id is not None else None
            documents.append(
                policy_document(router, numbers[router.id], rules, project, connections)
            )
        return documents

    async def _router(self, ref: str) -> Router:
        router = await self.repo.router(ref)
        if router is None:
            raise not_found(NOUN, ref)
        return router

    async def get(self, ref: str) -> JSON:
        return (await self._documents([await self._router(ref)]))[0]

    # -- writing ------------------------------------------------------------------------------

    async def create(self, data: JSON) -> JSON:
        refuse_read_only(data, READ_ONLY, NOUN, "create")
        parsed = validate(PolicyData, data)
        reject_nulls(data, _NOT_NULL)
        if parsed.name is None:
            raise ValidationFailed("name: field required", field="name")
        if parsed.project_id not in (None, self.project_id):
            raise ValidationFailed(
                f"projectId: {parsed.project_id} is not the project of this API key",
                field="projectId",
            )
        repeat = bool(parsed.repeat_policy_if_no_one_answers)
        times = parsed.repeat_policy_if_no_one_answers_times or 1
        labels = await label_names(self.repo, parsed.labels or [])
        connection_id = parsed.project_call_sms_config_id
        number_ids = await self._numbers(parsed.routing_phone_number, connection_id)
        rules = await self._new_rules(parsed.name, times)
        body: dict[str, Any] = {
            "name": parsed.name,
            "description": parsed.description or "",
            "enabled": True if parsed.is_enabled is None else parsed.is_enabled,
            "labels": labels,
            "connection_id": connection_id,
            "phone_number_ids": number_ids,
            "action": {
                "type": "ring",
                "target": {"type": "escalation_policy", "id": str(rules.id)},
            },
            "ringing": {
                "caller_id": "router",
                "between_attempts_message": {"text": NEXT_ENGINEER},
                "repeat_count": None if repeat else 0,
            },
            "fallback": "message",
        }
        defaults = {
            "greeting_message": GREETING,
            "no_answer_message": NO_ANSWER,
            "no_one_available_message": NO_ONE_AVAILABLE,
        }
        for attribute, native in _MESSAGES.items():
            text = (
                getattr(parsed, attribute)
                if attribute in parsed.model_fields_set
                else defaults[attribute]
            )
            body[native] = {"text": text} if text else None
        with native_fields(_RENAMES):
            router = await self.routers.create(validate(RouterCreate, body), distinct_slug=True)
        return await self.get(str(router.id))

    async def update(self, ref: str, data: JSON) -> None:
        router = await self._router(ref)
        data = {k: v for k, v in data.items() if k not in IGNORED_ON_UPDATE}
        nothing_to_update(data)
        refuse_read_only(data, READ_ONLY | {"projectId"}, NOUN, "update")
        parsed = validate(PolicyData, data)
        reject_nulls(data, _NOT_NULL)
        sent = parsed.model_fields_set
        patch: dict[str, Any] = {}
        if parsed.name is not None:
            patch["name"] = parsed.name
        if "description" in sent:
            patch["description"] = parsed.description or ""
        if parsed.is_enabled is not None:
            patch["enabled"] = parsed.is_enabled
        if "labels" in sent:
            patch["labels"] = await label_names(self.repo, parsed.labels or [])
        if "project_call_sms_config_id" in sent:
            patch["connection_id"] = parsed.project_call_sms_config_id
        if "routing_phone_number" in sent:
            connection_id = patch.get("connection_id", router.connection_id)
            patch["phone_number_ids"] = await self._numbers(
                parsed.routing_phone_number, connection_id
            )
        for attribute, native in _MESSAGES.items():
            if attribute in sent:
                patch[native] = _prompt(router.config.get(native), getattr(parsed, attribute))
        if sent & {"repeat_policy_if_no_one_answers", "repeat_policy_if_no_one_answers_times"}:
            patch["ringing"] = await self._repeat(router, parsed)
        old_name = router.name
        with native_fields(_RENAMES):
            await self.routers.update(ref, validate(RouterUpdate, patch), distinct_slug=True)
        if parsed.name is not None and parsed.name != old_name:
            await self._rename_rules(router, old_name)

    async def delete(self, ref: str) -> None:
        router = await self._router(ref)
        rules_id = rung_policy_id(router)
        await self.routers.delete(ref)
        # The rules belong to the policy, as in OneUptime: its escalation policy goes too,
        # unless something else (a service, a team, another router) still uses it.
        if rules_id is not None and await self.repo.policy(rules_id) is not None:
            integrity = IntegrityService(self.session, self.project_id)
            if not await integrity.references("escalation_policy", rules_id):
                await self.policies.delete(str(rules_id), force=False)

    # -- helpers ------------------------------------------------------------------------------

    async def _numbers(
        self, number: str | None, connection_id: uuid.UUID | None
    ) -> list[uuid.UUID]:
        """The number to route (one of the project's, or claimed now through the policy's
        connection); ``None`` detaches every number. Whether another policy routes it already
        is the router service's to say, when the number is attached."""
        if number is None:
            return []
        owned = await NumberRepository(self.session, self.project_id).by_number(number)
        if owned is not None:
            return [owned.id]
        numbers = NumberService(self.session, self.project_id, self.clock)
        with native_fields(_CLAIM_RENAMES):
            # Held by another project: say so before asking for a connection to claim it.
            await numbers.check_claimable(number)
            if connection_id is None:
                raise ValidationFailed(
                    f"routingPhoneNumber: {number} is not one of this project's numbers; give "
                    "projectCallSMSConfigId to claim it through that connection",
                    field="routingPhoneNumber",
                )
            claimed = await numbers.claim(NumberClaim(connection_id=connection_id, number=number))
        return [claimed.id]

    async def _new_rules(self, name: str, times: int) -> EscalationPolicy:
        """The escalation policy that holds the new policy's rules: none yet."""
        fields = {
            "name": await self._free_rules_name(name),
            "description": "The escalation rules of an incoming call policy.",
            "repeat_count": times,
        }
        with native_fields(_RULES_RENAMES):
            return await self.policies.create_without_levels(validate(PolicyFields, fields))

    async def _free_rules_name(self, name: str) -> str:
        base = f"{name}{RULES_SUFFIX}"
        candidate, n = base, 1
        while await self.repo.policy_named(candidate) is not None:
            n += 1
            candidate = f"{base} {n}"
        return candidate

    async def _rename_rules(self, router: Router, old_name: str) -> None:
        """Keep the rules' escalation policy named after the policy, if it still is."""
        rules_id = rung_policy_id(router)
        rules = await self.repo.policy(rules_id) if rules_id else None
        if rules is not None and rules.name.startswith(f"{old_name}{RULES_SUFFIX}"):
            rename = PolicyUpdate(name=await self._free_rules_name(router.name))
            with native_fields(_RULES_RENAMES):
                await self.policies.update(str(rules.id), rename)

    async def _repeat(self, router: Router, parsed: PolicyData) -> dict[str, Any]:
        rules_id = rung_policy_id(router)
        rules = await self.repo.policy(rules_id) if rules_id else None
        if rules is None:
            field = "repeatPolicyIfNoOneAnswers"
            raise ValidationFailed(
                f"{field}: this policy's router does not ring an escalation policy, so it has "
                "no rules to repeat; change its action in the native API",
                field=field,
            )
        repeat, times = repeat_of(router, rules)
        if parsed.repeat_policy_if_no_one_answers is not None:
            repeat = parsed.repeat_policy_if_no_one_answers
        if parsed.repeat_policy_if_no_one_answers_times is not None:
            times = parsed.repeat_policy_if_no_one_answers_times
        with native_fields(_RULES_RENAMES):
            await self.policies.update(str(rules.id), PolicyUpdate(repeat_count=times))
        ringing: dict[str, Any] = dict(router.config.get("ringing") or {})
        ringing["repeat_count"] = None if repeat else 0
        return ringing


def _prompt(existing: dict[str, Any] | None, text: str | None) -> dict[str, Any] | None:
    """A message's new text, keeping the voice and language it was read in."""
    if not text:
        return None
    kept = {k: v for k, v in (existing or {}).items() if k in ("voice", "language")}
    return {**kept, "text": text}
