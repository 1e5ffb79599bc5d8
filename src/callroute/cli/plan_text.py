"""The answer of `POST /api/v1/config/apply` in words: what is (or was) created, changed
field by field, and deleted, grouped by kind; and what the document does not declare."""

from __future__ import annotations

import json
from typing import Any

SIGNS = {"create": "+", "change": "~", "delete": "-"}
WORDS = {
    "create": ("to create", "created"),
    "change": ("to change", "changed"),
    "delete": ("to delete", "deleted"),
}


def value(v: object) -> str:
    """JSON, so that a string is quoted and a missing value reads `null`."""
    return json.dumps(v, ensure_ascii=False, sort_keys=True)


def render(answer: dict[str, Any], *, done: bool) -> list[str]:
    changes: list[dict[str, Any]] = answer.get("changes", [])
    lines: list[str] = []
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for change in changes:
        by_kind.setdefault(str(change.get("kind")), []).append(change)
    for kind, items in by_kind.items():
        lines.append(f"{kind}:")
        for change in items:
            action = str(change.get("action"))
            lines.append(f"  {SIGNS.get(action, '?')} {change.get('name')}")
            for field in change.get("fields", []):
                if action == "change":
                    shown = f"{value(field.get('from'))} → {value(field.get('to'))}"
                else:
                    shown = value(field.get("to" if action == "create" else "from"))
                lines.append(f"      {field.get('field')}: {shown}")
    undeclared: list[dict[str, Any]] = answer.get("undeclared", [])
    if undeclared:
        lines.append("not in the document (left alone; --prune deletes them):")
        lines.extend(f"  {item.get('kind')}: {item.get('name')}" for item in undeclared)
    lines.append(summary(changes, done=done))
    return lines


def summary(changes: list[dict[str, Any]], *, done: bool) -> str:
    if not changes:
        return "No changes: the server matches the document."
    counts = {action: 0 for action in WORDS}
    for change in changes:
        counts[str(change.get("action"))] = counts.get(str(change.get("action")), 0) + 1
    parts = [
        f"{counts[action]} {WORDS[action][1 if done else 0]}"
        for action in WORDS
        if counts.get(action)
    ]
    return ("Applied: " if done else "Plan: ") + ", ".join(parts) + "."
