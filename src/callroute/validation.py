"""Checks that ids given in a request name rows of the caller's own project."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from callroute.db.base import Base
from callroute.db.repository import ScopedRepository
from callroute.errors import Conflict, NotFound, ValidationFailed

M = TypeVar("M", bound=Base)


async def require_existing(
    repo: ScopedRepository[Any],
    refs: Sequence[tuple[str, uuid.UUID]],
    noun: str,
) -> None:
    """``refs`` pairs the request field (``member_ids[2]``) with the id it holds; the first id
    that is unknown in this project is a 422 naming that field. Another project's id is
    reported exactly like an unknown one, so ids never leak across projects."""
    missing = await repo.missing(ref for _field, ref in refs)
    for field, ref in refs:
        if ref in missing:
            raise ValidationFailed(f"{field}: no {noun} {ref} in this project", field=field)


async def found(repo: ScopedRepository[M], ref: str, noun: str) -> M:
    """The row ``ref`` names in this project, or a 404 that says what was looked for."""
    row = await repo.by_ref(ref)
    if row is None:
        raise NotFound(f"no {noun} {ref!r} in this project")
    return row


def reject_nulls(data: BaseModel, nullable: frozenset[str] = frozenset()) -> None:
    """In a partial update, an explicit null clears a field only where clearing makes sense;
    anywhere else it is a 422 rather than a silent no-op."""
    for field in sorted(data.model_fields_set - nullable):
        if getattr(data, field) is None:
            raise ValidationFailed(f"{field}: cannot be null", field=field)


async def require_unique_name(
    repo: ScopedRepository[Any], name: str, own_id: uuid.UUID | None, noun: str
) -> None:
    """Names are unique per project and kind of object: another row with ``name`` is a 409."""
    existing = await repo.find_by(name=name)
    if existing is not None and existing.id != own_id:
        raise Conflict(f"{noun} {existing.id} is already named {name!r}", field="name")


_LABEL = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def clean_labels(labels: list[str], field: str = "labels") -> list[str]:
    """Labels as a project keeps them: lower-cased, letters, digits, ``-`` and ``_``, each once,
    in the order given. A label that cannot be one is a 422 naming its index."""
    cleaned: list[str] = []
    for index, label in enumerate(labels):
        value = label.strip().lower()
        if not _LABEL.match(value):
            where = f"{field}[{index}]"
            raise ValidationFailed(
                f"{where}: {label!r} is not a label (letters, digits, - and _; up to 40)",
                field=where,
            )
        if value not in cleaned:
            cleaned.append(value)
    return cleaned
