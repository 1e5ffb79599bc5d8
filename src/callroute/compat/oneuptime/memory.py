"""Lists of resources a project has few of (its routers, their escalation rules), filtered,
sorted and paged in memory: every column, computed ones included, filters the same way on
SQLite and PostgreSQL. A project has as many policies as hotlines, not thousands."""

from __future__ import annotations

from abc import ABC, abstractmethod

from callroute.compat.oneuptime.evaluate import matches, sort_docs
from callroute.compat.oneuptime.listing import ListRequest
from callroute.compat.oneuptime.query import Condition
from callroute.compat.oneuptime.wire import JSON


class InMemoryCollection(ABC):
    @abstractmethod
    async def documents(self) -> list[JSON]:
        """Every document of the project."""

    async def page(self, request: ListRequest) -> tuple[int, list[JSON]]:
        found = [d for d in await self.documents() if matches(d, request.conditions)]
        ordered = sort_docs(found, request.sort)
        return len(found), ordered[request.skip : request.skip + request.limit]

    async def count(self, conditions: list[Condition]) -> int:
        return sum(1 for d in await self.documents() if matches(d, conditions))
