"""`callroute plan`, `apply` and `export`: a project's configuration as a document, compared
with and applied to the server by `POST /api/v1/config/apply` (one transaction there)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from callroute.cli.client import CLIENT, ApiKey, ProfileName, Url, connect
from callroute.cli.documents import load
from callroute.cli.exits import PLAN_CHANGES, CliFailure, Exit
from callroute.cli.output import Format, out, to_json, to_yaml
from callroute.cli.plan_text import render

Source = Annotated[
    str,
    typer.Option(
        "--file", "-f", help="A YAML or JSON document, a folder of them, or - (standard input)."
    ),
]


def _send(
    source: str, dry_run: bool, prune: bool, url: str | None, key: str | None, profile: str | None
) -> dict[str, Any]:
    document = load(source)
    with connect(url, key, profile) as api:
        answer: dict[str, Any] = api.post(
            "/config/apply", {"document": document, "dry_run": dry_run, "prune": prune}
        )
    return answer


def _say(lines: list[str]) -> None:
    for line in lines:
        out.print(line, markup=False, highlight=False)


def plan(
    file: Source,
    prune: Annotated[bool, typer.Option(help="Plan deleting what the document omits.")] = False,
    url: Url = None,
    api_key: ApiKey = None,
    profile: ProfileName = None,
) -> None:
    """What `apply` would change, changing nothing. Exit 0: no changes; 2: changes; 1: error."""
    answer = _send(file, True, prune, url, api_key, profile)
    _say(render(answer, done=False))
    if answer.get("changes"):
        raise typer.Exit(PLAN_CHANGES)


def apply(
    file: Source,
    prune: Annotated[bool, typer.Option(help="Delete what the document omits.")] = False,
    url: Url = None,
    api_key: ApiKey = None,
    profile: ProfileName = None,
) -> None:
    """Make the server's configuration what the document says, all of it or nothing."""
    answer = _send(file, False, prune, url, api_key, profile)
    if answer.get("changes") and not answer.get("applied"):
        raise CliFailure("the server did not apply the changes", Exit.ERROR)
    _say(render(answer, done=True))


def export(
    output: Annotated[Format, typer.Option("--output", "-o", help="yaml or json.")] = Format.YAML,
    to: Annotated[
        Path | None,
        typer.Option("--file", "-f", help="Write to this file (default: standard output)."),
    ] = None,
    url: Url = None,
    api_key: ApiKey = None,
    profile: ProfileName = None,
) -> None:
    """The server's configuration as a document that `apply` takes (secrets never included)."""
    if output is Format.TABLE:
        raise CliFailure("export writes yaml or json", Exit.USAGE)
    with connect(url, api_key, profile) as api:
        document = api.get("/config/export")["document"]
    text = to_json(document) + "\n" if output is Format.JSON else to_yaml(document)
    if to is None:
        print(text, end="")
    else:
        to.write_text(text, encoding="utf-8")
        out.print(f"wrote {to}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    for command in (plan, apply, export):
        app.command(rich_help_panel=CLIENT)(command)
