"""`callroute on-call [SCHEDULE|POLICY] [--at TIME]`: who is on call, through the API's
on-call answers of schedules and escalation policies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from callroute.cli.client import CLIENT, ApiKey, Output, ProfileName, Url, connect
from callroute.cli.exits import CliFailure
from callroute.cli.http import Api
from callroute.cli.lookup import is_id
from callroute.cli.output import Format, emit, table_of

SOURCES = (("schedule", "/schedules"), ("policy", "/escalation-policies"))


def parse_at(text: str | None) -> str | None:
    """An ISO 8601 time; without an offset it is the local time of this machine."""
    if text is None:
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError as exc:
        raise CliFailure(f"--at: {text!r} is not a time like 2026-03-01T09:30 or ...Z") from exc
    return (at if at.tzinfo else at.astimezone()).isoformat()


def on_call(
    ref: Annotated[
        str | None,
        typer.Argument(metavar="SCHEDULE|POLICY", help="A name or id (default: all of them)."),
    ] = None,
    at: Annotated[str | None, typer.Option(help="When (ISO 8601; default: now).")] = None,
    output: Output = Format.TABLE,
    url: Url = None,
    api_key: ApiKey = None,
    profile: ProfileName = None,
) -> None:
    """Who is on call in each schedule, and whom each escalation policy would ring."""
    when = parse_at(at)
    with connect(url, api_key, profile) as api:
        chosen = _chosen(api, ref)
        params = {"at": when} if when else {}
        answers = [
            {**item, "on_call": api.get(f"{path}/{item['id']}/on-call", params)}
            for item, path in chosen
        ]
    emit(answers, output, lambda: _table(answers))


def _chosen(api: Api, ref: str | None) -> list[tuple[dict[str, Any], str]]:
    found = []
    everything = []
    for kind, path in SOURCES:
        for row in api.pages(path, {}, None):
            item = {"kind": kind, "id": row["id"], "name": row["name"]}
            everything.append(item)
            if (
                ref is None
                or ref == row["id"]
                or (not is_id(ref) and ref.casefold() == str(row["name"]).casefold())
            ):
                found.append((item, path))
    if ref is not None and not found:
        known = ", ".join(f"{i['name']} ({i['kind']})" for i in everything) or "none"
        raise CliFailure(f"no schedule or escalation policy named {ref!r} (known: {known})")
    return found


def _table(answers: list[dict[str, Any]]) -> Table:
    rows = []
    for answer in answers:
        result = answer["on_call"]
        if answer["kind"] == "schedule":
            shift = result.get("shift") or {}
            who = (result.get("member") or {}).get("name") or "nobody"
            until = f"until {shift['end']}" if shift.get("end") else ""
            rows.append({"of": answer["name"], "level": "-", "who": who, "more": until})
            continue
        for level in result.get("levels", []):
            people = [r["name"] for r in level.get("responders", [])]
            numbers = [n for r in level.get("responders", []) for n in r.get("numbers", [])]
            rows.append(
                {
                    "of": answer["name"],
                    "level": level["level"],  # the API counts levels from 1
                    "who": ", ".join(people) or "nobody",
                    "more": ", ".join(numbers),
                }
            )
    columns = (
        ("schedule / policy", lambda r: r["of"]),
        ("level", lambda r: r["level"]),
        ("on call", lambda r: r["who"]),
        ("numbers / until", lambda r: r["more"]),
    )
    return table_of(rows, columns)


def register(app: typer.Typer) -> None:
    app.command("on-call", rich_help_panel=CLIENT)(on_call)
