"""Queries the live call router API needs over the core tables (it has none of its own)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select

from callroute.db.repository import ScopedRepository
from callroute.models import ProviderConnection, Router, Service, Urgency

SORT_COLUMNS: dict[str, Any] = {
    "created_at": Router.created_at,
    "updated_at": Router.updated_at,
    "name": Router.name,
    "slug": Router.slug,
}
_COMPARISONS = {
    "gt": lambda column, value: column > value,
    "gte": lambda column, value: column >= value,
    "lt": lambda column, value: column < value,
    "lte": lambda column, value: column <= value,
}


@dataclass(frozen=True)
class RouterFilters:
    search: str | None = None
    name: str | None = None
    slug: str | None = None
    created_at: dict[str, datetime] = field(default_factory=dict)  # gt/gte/lt/lte → bound


class LiveCallRouterRepository(ScopedRepository[Router]):
    model = Router

    async def page(
        self,
        filters: RouterFilters,
        sort: list[tuple[str, bool]],
        offset: int,
        limit: int,
    ) -> tuple[list[Router], int]:
        """One page of routers (offset pagination, as Rootly pages) and the total matching."""
        stmt = self.scoped().where(*self._conditions(filters))
        total = await self.session.scalar(
            select(func.count()).select_from(stmt.order_by(None).subquery())
        )
        order = [
            SORT_COLUMNS[name].desc() if descending else SORT_COLUMNS[name].asc()
            for name, descending in sort
        ]
        # The id last: rows with equal sort keys keep one order from page to page.
        rows = await self.session.scalars(
            stmt.order_by(*order, Router.id.asc()).offset(offset).limit(limit)
        )
        return list(rows.all()), int(total or 0)

    def _conditions(self, filters: RouterFilters) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if filters.search:
            term = filters.search.lower()
            conditions.append(
                or_(
                    func.lower(Router.name).contains(term, autoescape=True),
                    Router.slug.contains(term, autoescape=True),
                )
            )
        if filters.name is not None:
            conditions.append(Router.name == filters.name)
        if filters.slug is not None:
            conditions.append(Router.slug == filters.slug)
        for operator, bound in filters.created_at.items():
            conditions.append(_COMPARISONS[operator](Router.created_at, bound))
        return conditions


class DirectoryLookups:
    """Rows of the caller's project that a live call router refers to."""

    def __init__(self, repo: LiveCallRouterRepository) -> None:
        self.session = repo.session
        self.project_id = repo.project_id

    async def service_kinds(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
        wanted = set(ids)
        if not wanted:
            return {}
        rows = await self.session.execute(
            select(Service.id, Service.kind).where(
                Service.project_id == self.project_id, Service.id.in_(wanted)
            )
        )
        return {row_id: kind for row_id, kind in rows.all()}

    async def urgency_slugs(self) -> dict[uuid.UUID, str]:
        """Every urgency of the project, id → slug (a handful of rows)."""
        rows = await self.session.execute(
            select(Urgency.id, Urgency.slug).where(Urgency.project_id == self.project_id)
        )
        return {row_id: slug for row_id, slug in rows.all()}

    async def first_connection(self) -> ProviderConnection | None:
        """The project's oldest enabled provider connection: where numbers are claimed."""
        row: ProviderConnection | None = await self.session.scalar(
            select(ProviderConnection)
            .where(
                ProviderConnection.project_id == self.project_id,
                ProviderConnection.enabled.is_(True),
            )
            .order_by(ProviderConnection.created_at, ProviderConnection.id)
            .limit(1)
        )
        return row
