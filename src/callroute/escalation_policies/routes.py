from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from callroute.api.deps import API_PREFIX, ClockDep, Session, require
from callroute.api.pagination import Page, page_of
from callroute.auth.principal import Principal
from callroute.engine.escalation import ResolvedPolicy
from callroute.escalation_policies.schemas import (
    OnCallQuery,
    PolicyCreate,
    PolicyListQuery,
    PolicyOut,
    PolicyUpdate,
    ResolvedLevelOut,
    ResolvedPolicyOut,
    ResponderOut,
    UnresolvedOut,
)
from callroute.escalation_policies.service import PolicyService
from callroute.integrity.schemas import Deleted

router = APIRouter(prefix=f"{API_PREFIX}/escalation-policies", tags=["escalation policies"])

Reader = Annotated[Principal, Depends(require("escalation_policies:read"))]
Writer = Annotated[Principal, Depends(require("escalation_policies:write"))]
Force = Annotated[bool, Query(description="Also unset the services and teams that use it.")]


@router.post("", status_code=201, response_model=PolicyOut, summary="Create a policy")
async def create_policy(
    data: PolicyCreate, principal: Writer, session: Session, clock: ClockDep
) -> PolicyOut:
    policy = await PolicyService(session, principal.project_id, clock).create(data)
    return PolicyOut.model_validate(policy)


@router.get("", response_model=Page[PolicyOut], summary="List policies")
async def list_policies(
    query: Annotated[PolicyListQuery, Query()],
    principal: Reader,
    session: Session,
    clock: ClockDep,
) -> Page[PolicyOut]:
    result = await PolicyService(session, principal.project_id, clock).page(query)
    return page_of(PolicyOut, result)


@router.get("/{policy_id}", response_model=PolicyOut, summary="Get a policy")
async def get_policy(
    policy_id: str, principal: Reader, session: Session, clock: ClockDep
) -> PolicyOut:
    policy = await PolicyService(session, principal.project_id, clock).get(policy_id)
    return PolicyOut.model_validate(policy)


@router.patch("/{policy_id}", response_model=PolicyOut, summary="Update a policy")
async def update_policy(
    policy_id: str, data: PolicyUpdate, principal: Writer, session: Session, clock: ClockDep
) -> PolicyOut:
    policy = await PolicyService(session, principal.project_id, clock).update(policy_id, data)
    return PolicyOut.model_validate(policy)


@router.delete("/{policy_id}", response_model=Deleted, summary="Delete a policy")
async def delete_policy(
    policy_id: str, principal: Writer, session: Session, clock: ClockDep, force: Force = False
) -> Deleted:
    deleted, removed = await PolicyService(session, principal.project_id, clock).delete(
        policy_id, force=force
    )
    return Deleted.of(deleted, removed)


@router.get(
    "/{policy_id}/on-call",
    response_model=ResolvedPolicyOut,
    summary="Who each level would ring at a given time",
)
async def policy_on_call(
    policy_id: str,
    query: Annotated[OnCallQuery, Query()],
    principal: Reader,
    session: Session,
    clock: ClockDep,
) -> ResolvedPolicyOut:
    resolved = await PolicyService(session, principal.project_id, clock).on_call(
        policy_id, query.at
    )
    return resolved_out(resolved, query.at or clock.now())


def resolved_out(resolved: ResolvedPolicy, at: object) -> ResolvedPolicyOut:
    return ResolvedPolicyOut.model_validate(
        {
            "at": at,
            "repeat_count": resolved.repeat_count,
            "nobody_available": resolved.nobody_available,
            "levels": [
                ResolvedLevelOut(
                    level=level.index + 1,
                    strategy=level.strategy,
                    ring_timeout_seconds=level.ring_timeout_seconds,
                    delay_seconds=level.delay_seconds,
                    responders=[
                        ResponderOut(member_id=r.member_id, name=r.name, numbers=list(r.numbers))
                        for r in level.responders
                    ],
                    unresolved=[
                        UnresolvedOut(
                            type=u.target.kind,
                            id=u.target.id,
                            reason=u.reason,
                            member_id=u.member_id,
                        )
                        for u in level.unresolved
                    ],
                )
                for level in resolved.levels
            ],
        }
    )
