"""The list's query string, JSON:API style: ``page[number]``, ``page[size]``, ``filter[...]``,
``sort``; and the ``links`` and ``meta`` Rootly answers with.

Parameters are read by hand because their names carry brackets. A parameter that is not
understood is a 422 naming it: a mistyped filter must never quietly return every router.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import urlencode

from callroute.api.schemas import check_instant
from callroute.compat.rootly.repository import SORT_COLUMNS, RouterFilters
from callroute.errors import ValidationFailed

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
MAX_PAGE_NUMBER = 1_000_000  # keeps the offset within what every database accepts
DEFAULT_SORT = [("created_at", False)]
_CREATED = {f"filter[created_at][{op}]": op for op in ("gt", "gte", "lt", "lte")}
_TEXT_FILTERS = {"filter[search]": "search", "filter[name]": "name", "filter[slug]": "slug"}
# Accepted for compatibility; a live call router has no relationships to include.
_IGNORED = {"include"}


@dataclass(frozen=True)
class ListParams:
    page_number: int
    page_size: int
    filters: RouterFilters
    sort: list[tuple[str, bool]]
    given: list[tuple[str, str]]  # the query as sent, for the links

    @property
    def offset(self) -> int:
        return (self.page_number - 1) * self.page_size


def parse(items: Sequence[tuple[str, str]]) -> ListParams:
    values: dict[str, str] = {}
    for key, value in items:
        if key in values:
            raise ValidationFailed(f"{key}: given more than once", field=key)
        values[key] = value
    number = _positive(values, "page[number]", 1, MAX_PAGE_NUMBER)
    size = _positive(values, "page[size]", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    text: dict[str, str] = {}
    created: dict[str, datetime] = {}
    sort = DEFAULT_SORT
    for key, value in values.items():
        if key in _TEXT_FILTERS:
            text[_TEXT_FILTERS[key]] = value
        elif key in _CREATED:
            created[_CREATED[key]] = _instant(key, value)
        elif key == "sort":
            sort = _sort(value)
        elif key not in ("page[number]", "page[size]") and key not in _IGNORED:
            raise ValidationFailed(
                f"{key}: unknown parameter; lists take page[number], page[size], "
                "filter[search], filter[name], filter[slug], filter[created_at][gt|gte|lt|lte] "
                "and sort",
                field=key,
            )
    filters = RouterFilters(created_at=created, **text)
    return ListParams(number, size, filters, sort, list(items))


def _positive(values: dict[str, str], key: str, default: int, highest: int) -> int:
    raw = values.get(key)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= highest:
        raise ValidationFailed(f"{key}: must be a whole number from 1 to {highest}", field=key)
    return int(raw)


def _instant(key: str, raw: str) -> datetime:
    """An ISO 8601 date or date-time; one without an offset is read as UTC."""
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(raw), time())
        except ValueError:
            raise ValidationFailed(
                f"{key}: {raw!r} is not an ISO 8601 date or date-time", field=key
            ) from None
    try:
        check_instant(parsed)
    except ValueError as exc:
        raise ValidationFailed(f"{key}: {exc}", field=key) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _sort(raw: str) -> list[tuple[str, bool]]:
    """``name,-created_at``: fields in order, ``-`` for descending."""
    order: list[tuple[str, bool]] = []
    for part in raw.split(","):
        name = part.strip().removeprefix("-")
        if name not in SORT_COLUMNS:
            allowed = ", ".join(SORT_COLUMNS)
            raise ValidationFailed(
                f"sort: cannot sort by {part.strip()!r}; sortable fields: {allowed}", field="sort"
            )
        order.append((name, part.strip().startswith("-")))
    return order


def links_and_meta(base_url: str, params: ListParams, total: int) -> dict[str, Any]:
    """Rootly's ``links`` (all five keys; prev, next and last may be null) and ``meta``."""
    pages = math.ceil(total / params.page_size)
    current = params.page_number
    # As Rails paginators count: a page past the end has neither a previous nor a next page.
    prev_page = current - 1 if 1 < current <= pages else None
    next_page = current + 1 if current < pages else None

    def link(number: int) -> str:
        kept = [(k, v) for k, v in params.given if k not in ("page[number]", "page[size]")]
        query = [("page[number]", str(number)), ("page[size]", str(params.page_size)), *kept]
        return f"{base_url}?{urlencode(query)}"

    return {
        "links": {
            "self": link(current),
            "first": link(1),
            "prev": link(prev_page) if prev_page else None,
            "next": link(next_page) if next_page else None,
            "last": link(max(pages, 1)),
        },
        "meta": {
            "current_page": current,
            "next_page": next_page,
            "prev_page": prev_page,
            "total_count": total,
            "total_pages": pages,
        },
    }
