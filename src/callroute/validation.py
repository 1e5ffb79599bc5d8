"""Checks of what a request names: ids that must be rows of the caller's own project, names
that must be unique, labels; and Pydantic's errors as one 422 naming the field, which services
and compatibility layers raise as well as the HTTP layer (so it is not in ``api/``)."""

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


# Where FastAPI says a bad input came from: not part of the field's name.
_LOCATIONS = {"body", "query", "path", "header", "cookie"}


def field_path(loc: Sequence[int | str]) -> str | None:
    parts = list(loc)
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text or None


def error_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "field required"
    message = str(error.get("msg", "invalid value"))
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def validation_failed(errors: Sequence[Any]) -> ValidationFailed:
    """A 422 naming the first bad field (and listing the others) from Pydantic's errors."""
    first = dict(errors[0]) if errors else {"type": "value_error", "loc": (), "msg": "invalid"}
    if tuple(first.get("loc", ())) == ("body",):
        kind = first.get("type")
        message = {
            "missing": "request body is required",
            "dict_type": "request body must be a JSON object",
            "model_attributes_type": "request body must be a JSON object",
        }.get(str(kind), error_message(first))
        return ValidationFailed(message, field="body")
    field = field_path(first.get("loc", ()))
    message = error_message(first)
    details = None
    if len(errors) > 1:
        details = [
            {"field": field_path(dict(e).get("loc", ())), "message": error_message(dict(e))}
            for e in errors
        ]
    return ValidationFailed(
        f"{field}: {message}" if field else message, field=field, details=details
    )
