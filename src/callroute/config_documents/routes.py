"""Configuration as code: the document's schema, export, and plan/apply."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from callroute.api.deps import API_PREFIX, ClockDep, Ctx, Session, get_principal
from callroute.auth.principal import Principal
from callroute.config_documents.schemas import ApplyIn, ExportOut, PlanOut
from callroute.config_documents.service import ConfigService, Outcome, document_schema
from callroute.errors import Forbidden

router = APIRouter(prefix=f"{API_PREFIX}/config", tags=["configuration"])

# A document spans every kind of configuration, so reading or writing one takes the
# permission of each kind it holds (SIP trunks and bots go with routers, as in their API).
_RESOURCES = (
    "members",
    "teams",
    "schedules",
    "escalation_policies",
    "services",
    "urgencies",
    "contacts",
    "routers",
    "webhooks",
    "connections",
    "numbers",
)


def _require_all(action: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    async def dependency(request: Request, session: Session) -> Principal:
        principal = await get_principal(request, session=session)
        for resource in _RESOURCES:
            if not principal.can(f"{resource}:{action}"):
                raise Forbidden(
                    f"this API key lacks the '{resource}:{action}' permission; a configuration "
                    f"document needs the {action} permission of every kind it holds"
                )
        return principal

    dependency.__name__ = f"require_config_{action}"
    return dependency


Reader = Annotated[Principal, Depends(_require_all("read"))]
Writer = Annotated[Principal, Depends(_require_all("write"))]


def _service(session: Session, principal: Principal, clock: ClockDep, ctx: Ctx) -> ConfigService:
    return ConfigService(
        session,
        principal.project_id,
        clock,
        secret_keys=ctx.secret_keys,
        allow_private=ctx.settings.webhooks_allow_private_destinations,
        actor=principal.permissions,
    )


@router.get(
    "/schema",
    summary="The configuration document's JSON Schema",
    description="Public, like the OpenAPI document: it describes a format and holds no data.",
)
async def config_schema() -> dict[str, Any]:
    return document_schema()


@router.get("/export", response_model=ExportOut, summary="Export the configuration")
async def export_config(
    principal: Reader, session: Session, clock: ClockDep, ctx: Ctx
) -> ExportOut:
    document = await _service(session, principal, clock, ctx).export()
    return ExportOut(document=document)


@router.post(
    "/apply",
    response_model=PlanOut,
    response_model_by_alias=True,
    summary="Plan or apply a configuration document",
    description="Checks the whole document and answers every problem at once (422, "
    "`validation_error`, `details.problems`); then plans, and unless `dry_run` applies the "
    "plan in one transaction (a failure part-way changes nothing).",
)
async def apply_config(
    data: ApplyIn, principal: Writer, session: Session, clock: ClockDep, ctx: Ctx
) -> PlanOut:
    outcome = await _service(session, principal, clock, ctx).apply(
        data.document, dry_run=data.dry_run, prune=data.prune
    )
    return _plan_out(outcome)


def _plan_out(outcome: Outcome) -> PlanOut:
    return PlanOut.model_validate(
        {
            "changes": [c.as_dict() for c in outcome.plan.changes],
            "undeclared": [{"kind": k, "name": n} for k, n in outcome.plan.undeclared],
            "applied": outcome.applied,
        }
    )
