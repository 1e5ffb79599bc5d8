"""Finding one object of a kind by id or by name, through the API's lists."""

from __future__ import annotations

import uuid
from typing import Any

from callroute.cli.exits import CliFailure
from callroute.cli.http import Api


def is_id(ref: str) -> bool:
    try:
        uuid.UUID(ref)
    except ValueError:
        return False
    return True


def find(api: Api, path: str, noun: str, ref: str, keys: tuple[str, ...]) -> dict[str, Any]:
    """The object ``ref`` names: its id, or (any case) one of ``keys`` such as its name."""
    if is_id(ref):
        found: dict[str, Any] = api.get(f"{path}/{ref}")
        return found
    rows = list(api.pages(path, {}, None))
    wanted = ref.casefold()
    matches = [row for row in rows if any(str(row.get(k, "")).casefold() == wanted for k in keys)]
    if len(matches) == 1:
        one: dict[str, Any] = matches[0]
        return one
    if matches:
        ids = ", ".join(str(row["id"]) for row in matches)
        raise CliFailure(f"{len(matches)} {noun}s are named {ref!r}; give an id: {ids}")
    known = ", ".join(sorted(str(row.get(keys[0])) for row in rows)) or "none"
    raise CliFailure(f"no {noun} named {ref!r} (known: {known})")
