"""A OneUptime list request (``skip``, ``limit``, ``select``, ``query``, ``sort``) and the
shape of what it returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from callroute.compat.oneuptime.columns import Column, Columns, Kind
from callroute.compat.oneuptime.query import Condition, parse_query
from callroute.compat.oneuptime.wire import JSON, to_json
from callroute.errors import ValidationFailed

DEFAULT_LIMIT = 10
MAX_LIMIT = 100
MAX_SKIP = 1_000_000_000  # keeps the offset within what every database accepts
_DIRECTIONS = {"ASC": False, "asc": False, 1: False, "DESC": True, "desc": True, -1: True}

# select: column name → None for the whole value, or the sub-fields of a relation
Selection = dict[str, tuple[str, ...] | None]


@dataclass(frozen=True)
class ListRequest:
    skip: int = 0
    limit: int = DEFAULT_LIMIT
    conditions: list[Condition] = field(default_factory=list)
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (column, descending)
    select: Selection | None = None


def _whole_number(raw: Any, name: str, minimum: int, maximum: int | None = None) -> int:
    value = raw
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        value = int(raw)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationFailed(f"{name}: {raw!r} is not a whole number", field=name)
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
        raise ValidationFailed(f"{name}: must be {bound}, not {value}", field=name)
    return value


def paging(params: Mapping[str, str], body: JSON) -> tuple[int, int]:
    """``skip`` and ``limit`` from the query string (as OneUptime reads them) or the body."""
    skip_raw = params.get("skip", body.get("skip", 0))
    limit_raw = params.get("limit", body.get("limit", DEFAULT_LIMIT))
    skip = _whole_number(skip_raw, "skip", 0, MAX_SKIP)
    return skip, _whole_number(limit_raw, "limit", 1, MAX_LIMIT)


def parse_select(raw: Any, columns: Columns) -> Selection | None:
    if raw is None or raw == {}:
        return None
    if not isinstance(raw, dict):
        raise ValidationFailed("select: must be a JSON object of column: true", field="select")
    selection: Selection = {}
    for name, wanted in raw.items():
        where = f"select.{name}"
        column = columns.get(name)
        if column is None:
            raise ValidationFailed(
                f"{where}: {name!r} is not a column of {columns.noun}", field=where
            )
        if isinstance(wanted, bool):
            if wanted:
                selection[name] = None
            continue
        if isinstance(wanted, dict) and column is not None and column.subfields:
            selection[name] = _subfields(column, wanted, where)
            continue
        raise ValidationFailed(f"{where}: select a column with true", field=where)
    return selection


def _subfields(column: Column, wanted: dict[str, Any], where: str) -> tuple[str, ...]:
    chosen = []
    for sub, flag in wanted.items():
        if sub != "_id" and sub not in column.subfields:
            options = ", ".join(("_id", *column.subfields))
            raise ValidationFailed(
                f"{where}.{sub}: {column.name} has {options}", field=f"{where}.{sub}"
            )
        if not isinstance(flag, bool):
            raise ValidationFailed(f"{where}.{sub}: select with true", field=f"{where}.{sub}")
        if flag and sub != "_id":
            chosen.append(sub)
    return tuple(chosen)


def parse_sort(raw: Any, columns: Columns) -> list[tuple[str, bool]]:
    if raw is None or raw == {}:
        return [("createdAt", True)]  # OneUptime's default: newest first
    if not isinstance(raw, dict):
        raise ValidationFailed("sort: must be a JSON object of column: ASC | DESC", field="sort")
    sort = []
    for name, direction in raw.items():
        where = f"sort.{name}"
        column = columns.get(name)
        if column is None or not column.sortable:
            raise ValidationFailed(
                f"{where}: {columns.noun} cannot be sorted on {name!r}", field=where
            )
        if isinstance(direction, bool) or direction not in _DIRECTIONS:
            raise ValidationFailed(f"{where}: {direction!r} is not ASC, DESC, 1 or -1", field=where)
        sort.append((name, _DIRECTIONS[direction]))
    return sort


def list_request(params: Mapping[str, str], body: JSON, columns: Columns) -> ListRequest:
    unknown = sorted(set(body) - {"select", "query", "sort", "groupBy", "skip", "limit"})
    if unknown:
        raise ValidationFailed(f"{unknown[0]}: not a list request field", field=unknown[0])
    if body.get("groupBy") not in (None, {}):
        raise ValidationFailed("groupBy: grouping is not supported here", field="groupBy")
    skip, limit = paging(params, body)
    return ListRequest(
        skip=skip,
        limit=limit,
        conditions=parse_query(body.get("query"), columns),
        sort=parse_sort(body.get("sort"), columns),
        select=parse_select(body.get("select"), columns),
    )


def _pick(item: JSON, keep: tuple[str, ...]) -> JSON:
    return {"_id": item["_id"], **{sub: item.get(sub) for sub in keep}}


def project(doc: JSON, selection: Selection | None, columns: Columns) -> JSON:
    """``_id`` and the selected columns, exactly (the API reference's examples show no sort
    column added); every column but the related objects when nothing is selected."""
    chosen = selection if selection is not None else {c.name: None for c in columns.plain}
    out: JSON = {"_id": doc["_id"]}
    for name, subfields in chosen.items():
        if name == "_id":
            continue
        value = doc.get(name)
        column = columns.get(name)
        if column is not None and column.kind in (Kind.RELATION, Kind.LABELS) and value:
            keep = subfields if subfields is not None else column.subfields
            if column.kind is Kind.LABELS:
                value = [_pick(item, keep) for item in value]
            else:
                value = _pick(value, keep)
        out[name] = value
    projected: JSON = to_json(out)
    return projected
