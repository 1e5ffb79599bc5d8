"""What the configuration endpoints take and answer (the document itself is schema.py)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from callroute.api.schemas import RequestModel, StrictBool

_DOCUMENT = "A configuration document (its JSON Schema: GET /api/v1/config/schema)."


class ApplyIn(RequestModel):
    # Taken as an object and checked by the service, so that every problem of the document
    # is answered at once, each at its path, rather than the first one alone.
    document: dict[str, Any] = Field(description=_DOCUMENT)
    dry_run: StrictBool = Field(default=False, description="Plan only; change nothing.")
    prune: StrictBool = Field(
        default=False,
        description="Delete the objects of each kind the document lists that it does not "
        "declare (a kind the document leaves out is never pruned).",
    )


class FieldChangeOut(BaseModel):
    field: str = Field(
        description="Path in the object, e.g. greeting.text or levels[0].delay_seconds"
    )
    from_: Any = Field(alias="from", serialization_alias="from")
    to: Any


class ChangeOut(BaseModel):
    action: Literal["create", "change", "delete"]
    kind: str = Field(description="The document's list the object is in, e.g. routers.")
    name: str = Field(description="Its name (a webhook subscription's URL).")
    fields: list[FieldChangeOut] = Field(
        description="change: what changes; create: the values given; delete: empty."
    )


class UndeclaredOut(BaseModel):
    kind: str
    name: str


class PlanOut(BaseModel):
    changes: list[ChangeOut] = Field(
        description="In the order they are made: creates and changes kind by kind in "
        "dependency order, then deletions, dependents first."
    )
    undeclared: list[UndeclaredOut] = Field(
        description="Objects the project has and the document does not declare, left alone."
    )
    applied: bool


class ExportOut(BaseModel):
    document: dict[str, Any] = Field(description=_DOCUMENT)
