"""The columns a OneUptime resource exposes, and what a list request may do with each."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "Text"
    NUMBER = "Number"
    BOOLEAN = "Boolean"
    DATE = "Date"
    ID = "ObjectID"
    PHONE = "Phone"
    LABELS = "Labels"  # a many-to-many relation to labels: [{"_id", "name"}]
    RELATION = "Relation"  # one related object: {"_id", "name", ...}


SCALAR_KINDS = frozenset({Kind.TEXT, Kind.NUMBER, Kind.BOOLEAN, Kind.DATE, Kind.ID, Kind.PHONE})


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    # False for values computed after loading (a call's duration): they can be selected but
    # not filtered or sorted on, so that lists stay one database query.
    queryable: bool = True
    subfields: tuple[str, ...] = ()  # RELATION and LABELS: what a nested select may name

    @property
    def sortable(self) -> bool:
        return self.queryable and self.kind in SCALAR_KINDS


class Columns:
    def __init__(self, noun: str, columns: Iterable[Column]) -> None:
        self.noun = noun
        # Every OneUptime object has its id; it can be selected, filtered and sorted on.
        self._by_name = {"_id": Column("_id", Kind.ID), **{c.name: c for c in columns}}

    def __iter__(self) -> Iterator[Column]:
        return iter(self._by_name.values())

    def get(self, name: str) -> Column | None:
        return self._by_name.get(name)

    @property
    def plain(self) -> list[Column]:
        """What a request without ``select`` gets: every column but the related objects."""
        return [c for c in self if c.kind is not Kind.RELATION]
