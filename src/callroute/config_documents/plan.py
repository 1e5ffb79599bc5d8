"""What applying a document would change: per kind, in the order of creation, each object by
name created, changed (field by field) or, with prune, deleted. Pure: documents in, plan out.

Both sides are compared in one canonical form (every default written out, values as the
services keep them: labels cleaned, e-mails lower-cased, instants in UTC), so a document and
the export of what it made compare equal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from callroute.config_documents.schema import KINDS, Document, key_of, objects_of

_LABEL_CHARS = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "from": self.old, "to": self.new}

    @property
    def top(self) -> str:
        """The document field the change is in (``greeting`` of ``greeting.text``)."""
        return re.split(r"[.\[]", self.field, maxsplit=1)[0]


@dataclass(frozen=True)
class Change:
    action: str  # create | change | delete
    kind: str
    name: str
    fields: tuple[FieldChange, ...] = ()
    index: int | None = None  # where the object is in the document (create, change)

    def as_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "kind": self.kind,
            "name": self.name,
            "fields": [f.as_dict() for f in self.fields],
        }


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    undeclared: list[tuple[str, str]] = field(default_factory=list)

    def of(self, kind: str, action: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind and c.action == action]


def make_plan(
    current: Document,
    desired: Document,
    *,
    prune: bool,
    protected: Iterable[tuple[str, str]] = (),
) -> Plan:
    """``protected`` objects are never deleted nor listed as undeclared (built-in urgencies).
    Prune deletes only in the kinds the document has a list for: a document of routers alone
    leaves the members alone."""
    kept = set(protected)
    listed = desired.model_fields_set
    plan = Plan()
    deletions: list[Change] = []
    for kind in KINDS:
        have: dict[str, BaseModel] = {}
        for obj in objects_of(current, kind):
            have.setdefault(key_of(kind, obj), obj)
        wanted = {key_of(kind, obj): (i, obj) for i, obj in enumerate(objects_of(desired, kind))}
        for name in sorted(wanted):
            index, obj = wanted[name]
            before = have.get(name)
            if before is None:
                plan.changes.append(Change("create", kind, name, created(obj), index))
                continue
            fields = diff(canonical(kind, before, None), canonical(kind, obj, before))
            if fields:
                plan.changes.append(Change("change", kind, name, tuple(fields), index))
        for name in sorted(set(have) - set(wanted)):
            if (kind, name) in kept:
                continue
            if prune and kind in listed:
                deletions.append(Change("delete", kind, name))
            else:
                plan.undeclared.append((kind, name))
    # Deleted last, dependents first: a router goes before the policy it rang.
    order = {kind: i for i, kind in enumerate(KINDS)}
    plan.changes += sorted(deletions, key=lambda c: -order[c.kind])
    return plan


def created(obj: BaseModel) -> tuple[FieldChange, ...]:
    given = obj.model_dump(mode="json", exclude_defaults=True)
    return tuple(FieldChange(name, None, value) for name, value in given.items())


def diff(old: Any, new: Any, path: str = "") -> list[FieldChange]:
    """The leaves that differ; lists of the same length element by element, others whole."""
    if isinstance(old, dict) and isinstance(new, dict):
        changes = []
        for key in sorted(set(old) | set(new)):
            changes += diff(old.get(key), new.get(key), f"{path}.{key}" if path else key)
        return changes
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        changes = []
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            changes += diff(a, b, f"{path}[{index}]")
        return changes
    return [] if old == new else [FieldChange(path, old, new)]


def clean_labels(labels: list[str]) -> list[str]:
    """Labels as the services keep them (validation.clean_labels, without its errors: a bad
    label was reported when the document was checked)."""
    cleaned: list[str] = []
    for label in labels:
        value = label.strip().lower()
        if _LABEL_CHARS.match(value) and value not in cleaned:
            cleaned.append(value)
    return cleaned


def canonical(kind: str, obj: BaseModel, current: BaseModel | None) -> dict[str, Any]:
    """``obj`` as it would be stored; ``current`` fills what the document leaves as it is."""
    data: dict[str, Any] = obj.model_dump(mode="json")
    if kind == "members" and data["email"] is not None:
        data["email"] = data["email"].lower()
    if kind in ("contacts", "routers"):
        data["labels"] = clean_labels(data["labels"])
    if kind == "routers":
        data["numbers"] = sorted(data["numbers"])
    if kind == "schedules":
        for i, layer in enumerate(data["layers"]):
            layer["name"] = layer["name"] or f"Layer {i + 1}"
        data["overrides"] = sorted(
            data["overrides"], key=lambda o: (o["start"], o["end"], o["member"])
        )
    if kind == "urgencies" and data["position"] is None and current is not None:
        data["position"] = getattr(current, "position", None)
    return data
