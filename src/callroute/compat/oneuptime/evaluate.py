"""Conditions and sorts applied to documents in memory, with SQL's semantics: a comparison with
a missing value is false, ascending order puts missing values last (as PostgreSQL does)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cmp_to_key
from typing import Any

from callroute.compat.oneuptime.columns import Kind
from callroute.compat.oneuptime.query import Condition, Op

Doc = dict[str, Any]


def _label_ids(value: Any) -> set[Any]:
    return {item["_id"] for item in value or ()}


def _text(value: Any) -> str:
    return str(value).lower()


def _holds(condition: Condition, value: Any) -> bool:
    op, wanted = condition.op, condition.value
    if op is Op.IS_NULL:
        return not value if condition.column.kind is Kind.LABELS else value is None
    if op is Op.NOT_NULL:
        return bool(value) if condition.column.kind is Kind.LABELS else value is not None
    if condition.column.kind is Kind.LABELS:
        ids, asked = _label_ids(value), set(condition.values)
        if op is Op.INCLUDES:
            return bool(ids & asked)
        if op is Op.INCLUDES_ALL:
            return asked <= ids
        return not ids & asked  # IncludesNone
    if op is Op.EQUAL_OR_NULL:
        return value is None or value == wanted
    if op is Op.GREATER_OR_NULL:
        return value is None or value > wanted
    if op is Op.LESS_OR_NULL:
        return value is None or value < wanted
    if value is None:
        return False
    comparisons: dict[Op, Callable[[], bool]] = {
        Op.EQUAL: lambda: value == wanted,
        Op.NOT_EQUAL: lambda: value != wanted,
        Op.SEARCH: lambda: _text(wanted) in _text(value),
        Op.MULTI_SEARCH: lambda: _text(wanted) in _text(value),
        Op.STARTS_WITH: lambda: _text(value).startswith(_text(wanted)),
        Op.ENDS_WITH: lambda: _text(value).endswith(_text(wanted)),
        Op.NOT_CONTAINS: lambda: _text(wanted) not in _text(value),
        Op.GREATER: lambda: value > wanted,
        Op.GREATER_OR_EQUAL: lambda: value >= wanted,
        Op.LESS: lambda: value < wanted,
        Op.LESS_OR_EQUAL: lambda: value <= wanted,
        Op.BETWEEN: lambda: wanted <= value <= condition.end,
        Op.INCLUDES: lambda: value in condition.values,
        Op.INCLUDES_NONE: lambda: value not in condition.values,
    }
    return bool(comparisons[op]())


def matches(doc: Doc, conditions: Sequence[Condition]) -> bool:
    for condition in conditions:
        value = doc.get(condition.column.name)
        if condition.op is Op.MULTI_SEARCH and condition.also:
            if not any(
                _holds(condition, doc.get(c.name)) for c in (condition.column, *condition.also)
            ):
                return False
        elif not _holds(condition, value):
            return False
    return True


def _compare(a: Any, b: Any) -> int:
    if a is None or b is None:
        return int(a is None) - int(b is None)  # missing sorts after present
    return int(a > b) - int(a < b)


def sort_docs(docs: list[Doc], sort: Sequence[tuple[str, bool]]) -> list[Doc]:
    """``sort``: (column, descending) pairs, most significant first. Ties go by id in the
    first column's direction: ids are time-ordered, so "newest first" stays newest first."""
    newest_first = bool(sort) and sort[0][1]

    def compare(a: Doc, b: Doc) -> int:
        for name, descending in sort:
            result = _compare(a.get(name), b.get(name))
            if result:
                return -result if descending else result
        result = _compare(str(a["_id"]), str(b["_id"]))
        return -result if newest_first else result

    return sorted(docs, key=cmp_to_key(compare))
