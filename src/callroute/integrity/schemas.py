from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from callroute.integrity.repository import Reference


class ReferenceOut(BaseModel):
    type: str
    id: uuid.UUID
    name: str
    via: str


class Deleted(BaseModel):
    id: uuid.UUID
    deleted: bool = True
    removed_references: list[ReferenceOut] = Field(
        default_factory=list,
        description="What `force=true` removed so that the object could be deleted.",
    )

    @classmethod
    def of(cls, object_id: uuid.UUID, removed: list[Reference]) -> Deleted:
        return cls(
            id=object_id,
            removed_references=[
                ReferenceOut(type=r.type, id=r.id, name=r.name, via=r.via) for r in removed
            ],
        )
