"""Every problem of a document before anything is written: its shape (Pydantic), names
declared twice, names that name nothing, and the API's own rules on each translated object.
Each problem carries its path in the document."""

from __future__ import annotations

import re
from typing import Any, get_args

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from callroute.config_documents.export import Current
from callroute.config_documents.problems import Problem, from_pydantic, join
from callroute.config_documents.references import declared_twice, references
from callroute.config_documents.schema import KINDS, NOUNS, Document, key_of, objects_of
from callroute.config_documents.translate import create_request, in_document_terms, placeholder
from callroute.engine.schedule import ScheduleSpec, schedule_errors
from callroute.errors import ValidationFailed
from callroute.schedules.schemas import LayerIn
from callroute.schedules.service import layer_spec_of
from callroute.validation import clean_labels

_LEADING_INDEX = re.compile(r"^(\w+)\[(\d+)\]")


def parse(raw: dict[str, Any]) -> tuple[Document, list[Problem], dict[str, list[int]]]:
    """The document, or as much of it as is valid (objects that fail are left out, so the
    others can still be checked), its shape's problems, and for each kind the index in
    ``raw`` of each object kept."""
    try:
        document = Document.model_validate(raw)
    except PydanticValidationError as exc:
        problems = from_pydantic(exc.errors())
    else:
        return document, [], {k: list(range(len(objects_of(document, k)))) for k in KINDS}
    partial: dict[str, Any] = {"version": 1}
    kept: dict[str, list[int]] = {}
    for kind in KINDS:
        model = get_args(Document.model_fields[kind].annotation)[0]
        items = raw.get(kind) if isinstance(raw, dict) else None
        partial[kind], kept[kind] = [], []
        for index, item in enumerate(items if isinstance(items, list) else []):
            try:
                partial[kind].append(model.model_validate(item))
            except PydanticValidationError:
                continue
            kept[kind].append(index)
    try:
        salvaged = Document.model_validate(partial)
    except PydanticValidationError:  # too many objects, say: nothing more to check
        salvaged = Document(version=1)
        kept = {k: [] for k in KINDS}
    return salvaged, problems, kept


def declared_in(raw: dict[str, Any]) -> set[tuple[str, str]]:
    """The names the document declares, valid objects or not: a reference to an object with
    a mistake of its own is not a second mistake."""
    names = set()
    for kind in KINDS:
        items = raw.get(kind) if isinstance(raw, dict) else None
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            key = item.get("url" if kind == "webhook_subscriptions" else "name")
            if isinstance(key, str):
                names.add((kind, key.strip()))
    return names


def check(
    document: Document, raw: dict[str, Any], current: Current, *, prune: bool
) -> list[Problem]:
    problems: list[Problem] = []
    declared = declared_in(raw) | {
        (kind, key_of(kind, obj)) for kind in KINDS for obj in objects_of(document, kind)
    }
    listed = set(raw) if isinstance(raw, dict) else set()
    for kind, name, path, first in declared_twice(document):
        problems.append(
            Problem(path, f"{NOUNS[kind]} {name!r} is declared twice (also {kind}[{first}])")
        )
    for kind in KINDS:
        for index, obj in enumerate(objects_of(document, kind)):
            if (kind, key_of(kind, obj)) in current.ambiguous:
                problems.append(_ambiguous(f"{kind}[{index}].name", kind, key_of(kind, obj)))
    for ref in references(document):
        key = (ref.kind, ref.name)
        if key in declared:
            continue
        if key in current.ambiguous:
            problems.append(_ambiguous(ref.path, ref.kind, ref.name))
        elif key not in current.ids:
            problems.append(Problem(ref.path, _unknown(ref.kind, ref.name)))
        elif prune and ref.kind in listed and key not in current.built_in_keys():
            problems.append(
                Problem(
                    ref.path,
                    f"{NOUNS[ref.kind]} {ref.name!r} is not declared, so prune would delete it",
                )
            )
    for kind in KINDS:
        for index, obj in enumerate(objects_of(document, kind)):
            problems += _api_rules(kind, index, obj, current)
    return problems


def at_raw_indexes(problems: list[Problem], kept: dict[str, list[int]]) -> list[Problem]:
    """Problems found on the salvaged document, at the indexes the objects have in the
    document as sent."""

    def moved(match: re.Match[str]) -> str:
        kind, index = match.group(1), int(match.group(2))
        indexes = kept.get(kind, [])
        return f"{kind}[{indexes[index] if index < len(indexes) else index}]"

    return [Problem(_LEADING_INDEX.sub(moved, p.path), p.message) for p in problems]


def _ambiguous(path: str, kind: str, name: str) -> Problem:
    return Problem(
        path,
        f"several {NOUNS[kind]}s in the project are named {name!r}: rename all but one "
        "through the API so the document can name it",
    )


def _unknown(kind: str, name: str) -> str:
    if kind == "numbers":
        return f"no phone number {name} in this project (claim or add it through the API)"
    if kind == "connections":
        return (
            f"no provider connection named {name!r} in this project "
            "(connections are created through the API, with their credentials)"
        )
    return f"no {NOUNS[kind]} named {name!r}"


def _api_rules(kind: str, index: int, obj: BaseModel, current: Current) -> list[Problem]:
    """The API's request rules on the translated object, with stand-in ids for what does not
    exist yet; and the rules the services apply without the database (labels, rotations)."""
    prefix = f"{kind}[{index}]"

    def resolve(ref_kind: str, name: str) -> str:
        return current.ids.get((ref_kind, name)) or placeholder(ref_kind, name)

    try:
        request = create_request(kind, obj, resolve)
    except PydanticValidationError as exc:
        return [
            Problem(in_document_terms(p.path), in_document_terms(p.message))
            for p in from_pydantic(exc.errors(), prefix)
        ]
    problems = []
    labels = getattr(obj, "labels", None)
    if kind in ("contacts", "routers") and labels is not None:
        try:
            clean_labels(labels)
        except ValidationFailed as exc:
            problems.append(Problem(join(prefix, exc.field), exc.message.split(": ", 1)[-1]))
    if kind == "schedules":
        layers: list[LayerIn] = getattr(request, "layers", [])
        spec = ScheduleSpec(
            time_zone=getattr(obj, "time_zone", "UTC"),
            layers=tuple(layer_spec_of(layer) for layer in layers),
        )
        for error in schedule_errors(spec):
            problems.append(Problem(join(prefix, in_document_terms(error.field)), error.message))
    return problems
