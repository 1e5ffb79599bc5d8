"""OneUptime labels are objects with ids; callroute keeps a router's labels as names.

A label's id is derived from the project and its name (:func:`wire.label_id`), so the same
label has the same id on every policy, and a client that read ``{"_id": …}`` can send it back.
"""

from __future__ import annotations

from callroute.compat.oneuptime.policies.schemas import LabelRef
from callroute.compat.oneuptime.repository import OneUptimeRepository
from callroute.compat.oneuptime.wire import label_id
from callroute.errors import ValidationFailed
from callroute.validation import clean_labels


async def label_names(repo: OneUptimeRepository, refs: list[LabelRef]) -> list[str]:
    known = {label_id(repo.project_id, name): name for name in await repo.label_names()}
    names: list[str] = []
    for index, ref in enumerate(refs):
        where = f"labels[{index}]"
        if ref.name is not None:
            try:
                name = clean_labels([ref.name])[0]
            except ValidationFailed:
                raise ValidationFailed(
                    f"{where}.name: {ref.name!r} is not a label (letters, digits, - and _; "
                    "up to 40)",
                    field=f"{where}.name",
                ) from None
            if ref.id is not None and ref.id != label_id(repo.project_id, name):
                raise ValidationFailed(
                    f"{where}._id: {ref.id} is not the id of label {name!r}", field=f"{where}._id"
                )
        elif ref.id is not None:
            if ref.id not in known:
                raise ValidationFailed(
                    f"{where}._id: no label {ref.id} in this project; callroute keeps labels by "
                    'name: send {"name": "..."}',
                    field=f"{where}._id",
                )
            name = known[ref.id]
        else:
            raise ValidationFailed(f"{where}: give the label's _id or name", field=where)
        names.append(name)
    return names
