"""Shared steps of translating OneUptime writes onto native services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from callroute.compat.oneuptime.wire import JSON
from callroute.errors import NotFound, ValidationFailed
from callroute.validation import validation_failed

M = TypeVar("M", bound=BaseModel)

# Fields OneUptime drops from an update body without a word; clients send back what they read.
IGNORED_ON_UPDATE = ("_id", "createdAt", "updatedAt")


def validate(model: type[M], data: JSON) -> M:
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise validation_failed(exc.errors()) from exc


def refuse_read_only(data: JSON, read_only: frozenset[str], noun: str, action: str) -> None:
    for key in sorted(data):
        if key in read_only:
            raise ValidationFailed(
                f"User is not allowed to {action} on {key} column of {noun}", field=key
            )


def nothing_to_update(data: JSON) -> None:
    if not data:
        raise ValidationFailed("data: nothing to update", field="data")


def reject_nulls(data: JSON, columns: Iterable[str]) -> None:
    """A null for a column that must have a value is a 400, not "leave it as it is"."""
    for column in columns:
        if column in data and data[column] is None:
            raise ValidationFailed(f"{column}: cannot be null", field=column)


def not_found(noun: str, ref: str) -> NotFound:
    return NotFound(f"{noun} {ref} not found")


def dumped(value: Any) -> Any:
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else value
