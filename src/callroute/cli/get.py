"""`callroute get KIND [NAME|ID]`: the API's lists, in a table, JSON or YAML."""

# No `from __future__ import annotations`: each command's help names its kind, so its
# annotations are built when the command is, not evaluated later by Typer out of scope.
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from callroute.cli.client import ApiKey, Output, ProfileName, Url, connect
from callroute.cli.lookup import find
from callroute.cli.output import Column, Format, emit, table_of


@dataclass(frozen=True)
class Kind:
    path: str
    noun: str
    columns: tuple[Column, ...]
    keys: tuple[str, ...] = ("name",)  # what a NAME argument matches, besides the id
    limit: int | None = None  # rows by default: all, but calls and alerts only grow


def _numbers(row: dict[str, Any]) -> list[str]:
    return [str(number["number"]) for number in row.get("phone_numbers", [])]


def _phones(row: dict[str, Any]) -> list[str]:
    return [str(phone["number"]) for phone in row.get("phones", [])]


def _get(name: str) -> Any:
    return lambda row: row.get(name)


KINDS: dict[str, Kind] = {
    "routers": Kind(
        "/routers",
        "router",
        (
            ("name", _get("name")),
            ("numbers", _numbers),
            ("enabled", _get("enabled")),
            ("fallback", _get("fallback")),
            ("id", _get("id")),
        ),
        keys=("name", "slug"),
    ),
    "numbers": Kind(
        "/numbers",
        "phone number",
        (
            ("number", _get("number")),
            ("type", _get("type")),
            ("country", _get("country")),
            ("router", _get("router_id")),
            ("label", _get("label")),
            ("id", _get("id")),
        ),
        keys=("number", "label"),
    ),
    "schedules": Kind(
        "/schedules",
        "schedule",
        (
            ("name", _get("name")),
            ("time zone", _get("time_zone")),
            ("layers", lambda row: len(row.get("layers", []))),
            ("id", _get("id")),
        ),
    ),
    "policies": Kind(
        "/escalation-policies",
        "escalation policy",
        (
            ("name", _get("name")),
            ("levels", lambda row: len(row.get("levels", []))),
            ("repeats", _get("repeat_count")),
            ("id", _get("id")),
        ),
    ),
    "members": Kind(
        "/members",
        "member",
        (
            ("name", _get("name")),
            ("role", _get("role")),
            ("email", _get("email")),
            ("phones", _phones),
            ("id", _get("id")),
        ),
        keys=("name", "email"),
    ),
    "calls": Kind(
        "/calls",
        "call",
        (
            ("started", _get("started_at")),
            ("from", _get("from")),
            ("to", _get("to")),
            ("status", _get("status")),
            ("seconds", _get("duration_seconds")),
            ("id", _get("id")),
        ),
        keys=(),
        limit=50,
    ),
    "alerts": Kind(
        "/alerts",
        "alert",
        (
            ("created", _get("created_at")),
            ("status", _get("status")),
            ("summary", _get("summary")),
            ("call", _get("call_id")),
            ("id", _get("id")),
        ),
        keys=(),
        limit=50,
    ),
}


def _command(kind: Kind) -> Any:
    def command(
        ref: Annotated[
            str | None, typer.Argument(metavar="NAME|ID", help=f"One {kind.noun}.")
        ] = None,
        limit: Annotated[
            int | None,
            typer.Option(min=1, help=f"At most N rows (default: {kind.limit or 'all'})."),
        ] = kind.limit,
        output: Output = Format.TABLE,
        url: Url = None,
        api_key: ApiKey = None,
        profile: ProfileName = None,
    ) -> None:
        with connect(url, api_key, profile) as api:
            if ref is not None:
                one = find(api, kind.path, kind.noun, ref, kind.keys or ("id",))
                emit(one, output, lambda: table_of([one], kind.columns))
                return
            rows = list(api.pages(kind.path, {}, limit))
        emit(rows, output, lambda: table_of(rows, kind.columns))

    command.__doc__ = f"List {kind.noun}s, or show one by name or id."
    return command


get_app = typer.Typer(help="List what the server has: routers, numbers, ...", no_args_is_help=True)
for _name, _kind in KINDS.items():
    get_app.command(_name)(_command(_kind))


def register(app: typer.Typer) -> None:
    app.add_typer(get_app, name="get", rich_help_panel="Client (through a server's API)")
