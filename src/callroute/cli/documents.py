"""Reading a configuration document: one YAML or JSON file, standard input, or a folder of
them merged into one."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from callroute.cli.exits import CliFailure

SUFFIXES = (".yaml", ".yml", ".json")


def load(source: str) -> dict[str, Any]:
    """``-`` is standard input; a folder is its *.yaml, *.yml and *.json files, merged."""
    if source == "-":
        return _mapping(_parse(sys.stdin.read(), "standard input", json_only=False), "-")
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in SUFFIXES and p.is_file())
        if not files:
            raise CliFailure(f"{path}: no .yaml, .yml or .json file in this folder")
        return merge([(str(p), read_file(p)) for p in files])
    if not path.exists():
        raise CliFailure(f"{path}: no such file or folder")
    return read_file(path)


def read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliFailure(f"{path}: {exc}") from exc
    return _mapping(_parse(text, str(path), json_only=path.suffix == ".json"), str(path))


def _parse(text: str, where: str, *, json_only: bool) -> Any:
    if json_only:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise CliFailure(f"{where}: not JSON: {exc}") from exc
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        reason = " ".join(str(exc).split())  # one line, however YAML formats it
        raise CliFailure(f"{where}: not YAML: {reason}") from exc


def _mapping(document: Any, where: str) -> dict[str, Any]:
    if document is None:
        return {}  # an empty file declares nothing
    if not isinstance(document, dict):
        raise CliFailure(f"{where}: a document is a mapping (routers: [...], ...)")
    return document


def merge(documents: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """One document from several (in the order given): each top-level list is concatenated; any
    other top-level value may be given in several files only if they all agree."""
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for where, document in documents:
        for key, value in document.items():
            if key not in merged:
                merged[key] = list(value) if isinstance(value, list) else value
                origin[key] = where
            elif isinstance(merged[key], list) and isinstance(value, list):
                merged[key].extend(value)
            elif isinstance(merged[key], list) or isinstance(value, list):
                raise CliFailure(f"{key}: a list in {origin[key]} but not in {where}")
            elif merged[key] != value:
                raise CliFailure(
                    f"{key}: given differently in {origin[key]} and {where}; "
                    "a value that is not a list belongs in one file"
                )
    return merged
