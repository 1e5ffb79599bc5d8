"""OneUptime's ``query``: a plain value means equality, ``null`` means "is null", and typed
operators ``{"_type": "Search", "value": ...}`` say anything else. Parsed once into
:class:`Condition`s, which :mod:`.evaluate` applies to documents and :mod:`.sql` to queries."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from callroute.api.schemas import normalise_phone
from callroute.compat.oneuptime.columns import SCALAR_KINDS, Column, Columns, Kind
from callroute.compat.oneuptime.wire import parse_date, parse_id, unwrap
from callroute.errors import ValidationFailed


class Op(StrEnum):
    EQUAL = "EqualTo"
    NOT_EQUAL = "NotEqual"
    EQUAL_OR_NULL = "EqualToOrNull"
    SEARCH = "Search"
    MULTI_SEARCH = "MultiSearch"
    STARTS_WITH = "StartsWith"
    ENDS_WITH = "EndsWith"
    NOT_CONTAINS = "NotContains"
    GREATER = "GreaterThan"
    GREATER_OR_EQUAL = "GreaterThanOrEqual"
    LESS = "LessThan"
    LESS_OR_EQUAL = "LessThanOrEqual"
    GREATER_OR_NULL = "GreaterThanOrNull"
    LESS_OR_NULL = "LessThanOrNull"
    BETWEEN = "InBetween"
    INCLUDES = "Includes"
    INCLUDES_ALL = "IncludesAll"
    INCLUDES_NONE = "IncludesNone"
    IS_NULL = "IsNull"
    NOT_NULL = "NotNull"


TEXT_OPS = frozenset({Op.SEARCH, Op.MULTI_SEARCH, Op.STARTS_WITH, Op.ENDS_WITH, Op.NOT_CONTAINS})
RANGE_OPS = frozenset(
    {
        Op.GREATER,
        Op.GREATER_OR_EQUAL,
        Op.LESS,
        Op.LESS_OR_EQUAL,
        Op.GREATER_OR_NULL,
        Op.LESS_OR_NULL,
        Op.BETWEEN,
    }
)
LIST_OPS = frozenset({Op.INCLUDES, Op.INCLUDES_ALL, Op.INCLUDES_NONE})
EQUALITY_OPS = frozenset({Op.EQUAL, Op.NOT_EQUAL, Op.EQUAL_OR_NULL})
NULL_OPS = frozenset({Op.IS_NULL, Op.NOT_NULL})

_TEXTUAL = frozenset({Kind.TEXT, Kind.PHONE})
_ORDERED = frozenset({Kind.NUMBER, Kind.DATE, Kind.TEXT})


@dataclass(frozen=True)
class Condition:
    column: Column
    op: Op
    value: Any = None  # a scalar of the column's kind; text operators keep the raw string
    values: tuple[Any, ...] = ()  # Includes*
    end: Any = None  # InBetween
    also: tuple[Column, ...] = ()  # MultiSearch: further columns searched


def parse_query(raw: Any, columns: Columns) -> list[Condition]:
    if raw is None:
        return []
    if not isinstance(raw, dict):
        raise ValidationFailed("query: must be a JSON object of column: condition", field="query")
    return [_condition(columns, name, value) for name, value in raw.items()]


def _column(columns: Columns, name: str, where: str) -> Column:
    column = columns.get(name)
    if column is None:
        raise ValidationFailed(f"{where}: {name!r} is not a column of {columns.noun}", field=where)
    if not column.queryable:
        raise ValidationFailed(
            f"{where}: {columns.noun} cannot be filtered or sorted on {name!r}", field=where
        )
    return column


def _condition(columns: Columns, name: str, raw: Any) -> Condition:
    where = f"query.{name}"
    column = _column(columns, name, where)
    raw = unwrap(raw)
    if raw is None:
        return Condition(column, Op.IS_NULL)
    if not (isinstance(raw, dict) and "_type" in raw):
        if column.kind not in SCALAR_KINDS:
            raise ValidationFailed(
                f"{where}: {name} is a relation; use Includes, IncludesAll, IncludesNone, "
                "IsNull or NotNull",
                field=where,
            )
        return Condition(column, Op.EQUAL, scalar(column, raw, where))
    try:
        op = Op(raw["_type"])
    except ValueError:
        names = ", ".join(o.value for o in Op)
        raise ValidationFailed(
            f"{where}._type: {raw['_type']!r} is not a query operator ({names})",
            field=f"{where}._type",
        ) from None
    return _typed(columns, column, op, raw, where)


def _typed(columns: Columns, column: Column, op: Op, raw: dict[str, Any], where: str) -> Condition:
    allowed = {
        "value": op not in NULL_OPS and op is not Op.BETWEEN,
        "startValue": op is Op.BETWEEN,
        "endValue": op is Op.BETWEEN,
        "columns": op is Op.MULTI_SEARCH,
    }
    for key in raw:
        if key != "_type" and not allowed.get(key, False):
            raise ValidationFailed(f"{where}.{key}: not used by {op.value}", field=f"{where}.{key}")
    _check_kind(column, op, where)
    if op in NULL_OPS:
        return Condition(column, op)
    if op is Op.BETWEEN:
        for key in ("startValue", "endValue"):
            if key not in raw:
                raise ValidationFailed(
                    f"{where}.{key}: required by InBetween", field=f"{where}.{key}"
                )
        start = scalar(column, raw["startValue"], f"{where}.startValue")
        end = scalar(column, raw["endValue"], f"{where}.endValue")
        return Condition(column, op, start, end=end)
    if "value" not in raw:
        raise ValidationFailed(f"{where}.value: required by {op.value}", field=f"{where}.value")
    value = raw["value"]
    if op in LIST_OPS:
        if not isinstance(value, list) or len(value) > 1000:
            raise ValidationFailed(
                f"{where}.value: {op.value} takes a list (up to 1000 values)",
                field=f"{where}.value",
            )
        item_kind = Kind.ID if column.kind is Kind.LABELS else column.kind
        items = tuple(
            scalar(Column(column.name, item_kind), v, f"{where}.value[{i}]")
            for i, v in enumerate(value)
        )
        return Condition(column, op, values=items)
    if op in TEXT_OPS:
        value = unwrap(value)
        if not isinstance(value, str):
            raise ValidationFailed(
                f"{where}.value: {op.value} takes a string", field=f"{where}.value"
            )
        also: tuple[Column, ...] = ()
        if op is Op.MULTI_SEARCH and "columns" in raw:
            names = raw["columns"]
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise ValidationFailed(
                    f"{where}.columns: a list of column names", field=f"{where}.columns"
                )
            also = tuple(_column(columns, n, f"{where}.columns") for n in names)
            for extra in also:
                _check_kind(extra, Op.SEARCH, f"{where}.columns")
        return Condition(column, op, value, also=also)
    return Condition(column, op, scalar(column, value, f"{where}.value"))


def _check_kind(column: Column, op: Op, where: str) -> None:
    kind = column.kind
    ok = (
        (op in NULL_OPS and kind is not Kind.RELATION)
        or (op in EQUALITY_OPS and kind in SCALAR_KINDS)
        or (op in TEXT_OPS and kind in _TEXTUAL)
        or (op in RANGE_OPS and kind in _ORDERED)
        or (op in (Op.INCLUDES, Op.INCLUDES_NONE) and (kind in SCALAR_KINDS or kind is Kind.LABELS))
        or (op is Op.INCLUDES_ALL and kind is Kind.LABELS)
    )
    if not ok:
        raise ValidationFailed(
            f"{where}: {op.value} does not apply to {column.name} ({kind.value})", field=where
        )


def scalar(column: Column, raw: Any, where: str) -> Any:
    """A value of the column's kind, as documents hold it (ids as UUIDs, dates aware)."""
    value = unwrap(raw)
    kind = column.kind
    if kind is Kind.ID:
        return parse_id(value, where)
    if kind is Kind.DATE:
        return parse_date(value, where)
    if kind is Kind.BOOLEAN and isinstance(value, bool):
        return value
    if kind is Kind.NUMBER and isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if kind is Kind.TEXT and isinstance(value, str):
        return value
    if kind is Kind.PHONE and isinstance(value, str):
        try:
            return normalise_phone(value)
        except ValueError as exc:
            raise ValidationFailed(f"{where}: {exc}", field=where) from None
    raise ValidationFailed(f"{where}: {value!r} is not a {kind.value}", field=where)
