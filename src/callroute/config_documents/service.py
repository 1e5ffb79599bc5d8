"""Configuration as code: export a project's configuration as a document, plan what a
document would change, and apply it, through the resources' own services."""

from __future__ import annotations

import uuid
from collections.abc import Set
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from callroute.clock import Clock
from callroute.config_documents import export
from callroute.config_documents.apply import Applier, Services
from callroute.config_documents.checks import at_raw_indexes, check, parse
from callroute.config_documents.plan import Plan, make_plan
from callroute.config_documents.problems import DocumentInvalid
from callroute.config_documents.schema import Document
from callroute.crypto import SecretKeys

SCHEMA_ID = "/api/v1/config/schema"


def document_schema() -> dict[str, Any]:
    """The document's JSON Schema, for editors to check and complete a file with."""
    schema = Document.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }


@dataclass(frozen=True)
class Outcome:
    plan: Plan
    applied: bool


class ConfigService:
    def __init__(
        self,
        session: AsyncSession,
        project_id: uuid.UUID,
        clock: Clock,
        *,
        secret_keys: SecretKeys,
        allow_private: bool,
        actor: Set[str],
    ) -> None:
        self.session = session
        self.project_id = project_id
        self.services = Services(session, project_id, clock, secret_keys, allow_private, actor)

    async def export(self) -> dict[str, Any]:
        return export.exported(await export.load(self.session, self.project_id))

    async def apply(self, raw: dict[str, Any], *, dry_run: bool, prune: bool) -> Outcome:
        """Check the whole document (every problem at once, a 422), plan, and unless
        ``dry_run`` carry the plan out."""
        document, problems, kept = parse(raw)
        current = await export.load(self.session, self.project_id)
        problems += at_raw_indexes(check(document, raw, current, prune=prune), kept)
        if problems:
            raise DocumentInvalid(problems)
        plan = make_plan(current.document, document, prune=prune, protected=current.built_in_keys())
        if not dry_run and plan.changes:
            await Applier(self.services, current, document).run(plan)
        return Outcome(plan, applied=not dry_run)
