"""What a document names: the objects it declares, and every reference it makes to another
object, each with its path in the document. Pure: no database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from callroute.config_documents.router_schema import ActionDoc, RouterDoc
from callroute.config_documents.schema import KINDS, Document, key_of, objects_of
from callroute.routers.schemas import TargetType

# A router's target type → the document's kind.
TARGET_KINDS = {
    TargetType.ESCALATION_POLICY: "escalation_policies",
    TargetType.SERVICE: "services",
    TargetType.TEAM: "teams",
    TargetType.SCHEDULE: "schedules",
    TargetType.MEMBER: "members",
}
POLICY_TARGET_KINDS = {"member": "members", "team": "teams", "schedule": "schedules"}


@dataclass(frozen=True)
class Reference:
    path: str  # where the name is written
    kind: str  # the kind of object it names (a document kind, or connections / numbers)
    name: str


def declared_twice(document: Document) -> Iterator[tuple[str, str, str, int]]:
    """(kind, name, path of the repeat, index of the first) for each name declared again."""
    for kind in KINDS:
        first: dict[str, int] = {}
        for index, obj in enumerate(objects_of(document, kind)):
            key = key_of(kind, obj)
            if key in first:
                field = "url" if kind == "webhook_subscriptions" else "name"
                yield kind, key, f"{kind}[{index}].{field}", first[key]
            else:
                first[key] = index


def references(document: Document) -> Iterator[Reference]:
    for i, team in enumerate(document.teams):
        for j, name in enumerate(team.members):
            yield Reference(f"teams[{i}].members[{j}]", "members", name)
        if team.default_escalation_policy is not None:
            yield Reference(
                f"teams[{i}].default_escalation_policy",
                "escalation_policies",
                team.default_escalation_policy,
            )
    for i, schedule in enumerate(document.schedules):
        for j, layer in enumerate(schedule.layers):
            for k, name in enumerate(layer.members):
                yield Reference(f"schedules[{i}].layers[{j}].members[{k}]", "members", name)
        for j, override in enumerate(schedule.overrides):
            yield Reference(f"schedules[{i}].overrides[{j}].member", "members", override.member)
    for i, policy in enumerate(document.escalation_policies):
        for j, level in enumerate(policy.levels):
            for k, target in enumerate(level.targets):
                yield Reference(
                    f"escalation_policies[{i}].levels[{j}].targets[{k}].name",
                    POLICY_TARGET_KINDS[target.type.value],
                    target.name,
                )
    for i, service in enumerate(document.services):
        if service.escalation_policy is not None:
            yield Reference(
                f"services[{i}].escalation_policy", "escalation_policies", service.escalation_policy
            )
    for i, router in enumerate(document.routers):
        yield from router_references(f"routers[{i}]", router)


def router_actions(router: RouterDoc) -> Iterator[tuple[str, ActionDoc]]:
    """Each action of a router, with its path inside the router."""
    if router.action is not None:
        yield "action", router.action
    if router.menu is not None:
        for j, option in enumerate(router.menu.options):
            yield f"menu.options[{j}].action", option.action
    if router.business_hours is not None:
        yield "business_hours.after_hours_action", router.business_hours.after_hours_action


def router_references(prefix: str, router: RouterDoc) -> Iterator[Reference]:
    if router.connection is not None:
        yield Reference(f"{prefix}.connection", "connections", router.connection)
    for j, number in enumerate(router.numbers):
        yield Reference(f"{prefix}.numbers[{j}]", "numbers", number)
    if router.alert.urgency is not None:
        yield Reference(f"{prefix}.alert.urgency", "urgencies", router.alert.urgency)
    for path, action in router_actions(router):
        where = f"{prefix}.{path}"
        if action.target is not None:
            kind = TARGET_KINDS[action.target.type]
            yield Reference(f"{where}.target", kind, action.target.name)
        if action.sip_trunk is not None:
            yield Reference(f"{where}.sip_trunk", "sip_trunks", action.sip_trunk)
        if action.bot is not None:
            yield Reference(f"{where}.bot", "bots", action.bot)
        if action.urgency is not None:
            yield Reference(f"{where}.urgency", "urgencies", action.urgency)
    if router.outbound is not None:
        if router.outbound.sip_trunk is not None:
            yield Reference(f"{prefix}.outbound.sip_trunk", "sip_trunks", router.outbound.sip_trunk)
        if router.outbound.bot is not None:
            yield Reference(f"{prefix}.outbound.bot", "bots", router.outbound.bot)
