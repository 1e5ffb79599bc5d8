"""Conditions and sorts (:mod:`.query`) as SQL, for resources too many to filter in memory
(call logs).

Each column is an SQL expression; the statuses OneUptime shows are computed in SQL too (see
:mod:`.logs.repository`), so a filter on ``status`` means what the rows returned say.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, not_, or_

from callroute.compat.oneuptime.query import Condition, Op

Expressions = Mapping[str, ColumnElement[Any]]


def _like(text: str, *, start: bool = True, end: bool = True) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{'%' if start else ''}{escaped}{'%' if end else ''}"


def _clause(condition: Condition, expr: ColumnElement[Any]) -> ColumnElement[bool]:
    op, value = condition.op, condition.value
    if op is Op.IS_NULL:
        return expr.is_(None)
    if op is Op.NOT_NULL:
        return expr.is_not(None)
    if op is Op.EQUAL:
        return cast("ColumnElement[bool]", expr == value)
    if op is Op.NOT_EQUAL:
        return cast("ColumnElement[bool]", expr != value)
    if op is Op.EQUAL_OR_NULL:
        return or_(expr.is_(None), expr == value)
    if op in (Op.SEARCH, Op.MULTI_SEARCH):
        return expr.ilike(_like(value), escape="\\")
    if op is Op.STARTS_WITH:
        return expr.ilike(_like(value, start=False), escape="\\")
    if op is Op.ENDS_WITH:
        return expr.ilike(_like(value, end=False), escape="\\")
    if op is Op.NOT_CONTAINS:
        return not_(expr.ilike(_like(value), escape="\\"))
    if op is Op.BETWEEN:
        return expr.between(value, condition.end)
    if op is Op.INCLUDES:
        return expr.in_(condition.values)
    if op is Op.INCLUDES_NONE:
        return expr.not_in(condition.values)
    compare: dict[Op, ColumnElement[bool]] = {
        Op.GREATER: expr > value,
        Op.GREATER_OR_EQUAL: expr >= value,
        Op.LESS: expr < value,
        Op.LESS_OR_EQUAL: expr <= value,
        Op.GREATER_OR_NULL: or_(expr.is_(None), expr > value),
        Op.LESS_OR_NULL: or_(expr.is_(None), expr < value),
    }
    return compare[op]


def where(conditions: Sequence[Condition], expressions: Expressions) -> ColumnElement[bool]:
    clauses = []
    for condition in conditions:
        columns = (condition.column, *condition.also)
        parts = [_clause(condition, expressions[c.name]) for c in columns]
        clauses.append(or_(*parts) if len(parts) > 1 else parts[0])
    return and_(True, *clauses)


def order_by(
    sort: Sequence[tuple[str, bool]], expressions: Expressions, id_column: ColumnElement[Any]
) -> list[ColumnElement[Any]]:
    """Missing values last when ascending and first when descending, on both databases (as
    PostgreSQL does by default), then the id in the first column's direction (ids are
    time-ordered), so pages never overlap."""
    order: list[ColumnElement[Any]] = []
    for name, descending in sort:
        expr = expressions[name]
        order.append(expr.desc().nulls_first() if descending else expr.asc().nulls_last())
    newest_first = bool(sort) and sort[0][1]
    order.append(id_column.desc() if newest_first else id_column.asc())
    return order
