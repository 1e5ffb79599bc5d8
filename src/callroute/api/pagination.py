"""List conventions: ``limit``, an opaque ``cursor``, whitelisted ``sort``, and a total.

Lists use keyset pagination ordered by the sort column then the id, so a page never skips or
repeats a row when rows are inserted meanwhile. The cursor carries the sort it was made for and
the last row's key; it is opaque to clients but not secret (it only ever selects inside the
caller's own project). The cursor and the sort are ``db.pagination``'s, which repositories take.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from callroute.api.schemas import InputRules
from callroute.db.pagination import Cursor, SortSpec, parse_sort
from callroute.errors import ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

T = TypeVar("T")


class PageRows(Protocol):
    @property
    def rows(self) -> Sequence[Any]: ...
    @property
    def total(self) -> int: ...
    @property
    def next_cursor(self) -> str | None: ...


class Page(BaseModel, Generic[T]):
    data: list[T]
    total: int = Field(description="Rows matching the filters, across all pages.")
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class ListQuery(InputRules):
    """Base of every list endpoint's query parameters; subclasses add their filters.

    Unknown parameters are rejected (a mistyped filter must not silently return everything).
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    sort_fields: ClassVar[tuple[str, ...]] = ("created_at",)
    default_sort: ClassVar[str] = "created_at"

    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Page size.")
    cursor: str | None = Field(default=None, description="`next_cursor` of the previous page.")
    sort: str | None = Field(
        default=None, description="A sortable field, prefixed with `-` for descending order."
    )

    @field_validator("sort")
    @classmethod
    def _known_sort(cls, value: str | None) -> str | None:
        if value is not None and value.lstrip("-") not in cls.sort_fields:
            allowed = ", ".join(cls.sort_fields)
            raise ValueError(f"cannot sort by {value!r}; sortable fields: {allowed}")
        return value

    def sort_spec(self) -> SortSpec:
        return parse_sort(self.sort or self.default_sort)

    def decoded_cursor(self) -> Cursor | None:
        if self.cursor is None:
            return None
        cursor = Cursor.decode(self.cursor)
        if cursor.sort != self.sort_spec():
            raise ValidationFailed(
                "cursor was made for a different sort; repeat the same sort or start over",
                field="cursor",
            )
        return cursor

    def filters(self) -> dict[str, Any]:
        """The filter values that were given (everything but paging and sorting)."""
        paging = {"limit", "cursor", "sort"}
        return {
            name: value
            for name, value in self
            if name not in paging and name in self.model_fields_set and value is not None
        }


def page_of(model: type[BaseModel], result: PageRows) -> Page[Any]:
    """A list response from a repository page, each row shaped by ``model``."""
    return Page[model](  # type: ignore[valid-type]
        data=[model.model_validate(row) for row in result.rows],
        total=result.total,
        next_cursor=result.next_cursor,
    )
