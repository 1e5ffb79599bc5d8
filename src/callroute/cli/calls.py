"""`callroute calls show ID` (a call's timeline in words) and `callroute calls tail` (new
calls and their timelines as they happen, by polling the API)."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from callroute.cli.client import CLIENT, ApiKey, Output, ProfileName, Url, connect
from callroute.cli.http import Api
from callroute.cli.output import Format, out, to_json, to_yaml
from callroute.cli.timeline import FINAL, Timeline, heading

calls_app = typer.Typer(help="A call's timeline, or calls as they happen.", no_args_is_help=True)


@calls_app.command("show")
def show(
    call_id: Annotated[str, typer.Argument(metavar="ID", help="The call's id.")],
    output: Output = Format.TABLE,
    url: Url = None,
    api_key: ApiKey = None,
    profile: ProfileName = None,
) -> None:
    """A call, its legs and its timeline in words (people's names, levels from 1)."""
    with connect(url, api_key, profile) as api:
        if output is not Format.TABLE:
            data = {
                "call": api.get(f"/calls/{call_id}"),
                "events": list(api.pages(f"/calls/{call_id}/events", {}, None)),
            }
            print(to_json(data) if output is Format.JSON else to_yaml(data).rstrip("\n"))
            return
        timeline = Timeline(api, call_id)
        lines = timeline.read()
    call = timeline.call
    _say(f"{heading(call)}, {call['status']}, started {call['started_at']}")
    for line in lines:
        _say(line)


@calls_app.command("tail")
def tail(
    interval: Annotated[float, typer.Option(min=0.1, help="Seconds between two reads.")] = 1.0,
    url: Url = None,
    api_key: ApiKey = None,
    profile: ProfileName = None,
) -> None:
    """Follow calls live: each new or ongoing call and its timeline as it happens (Ctrl-C
    stops)."""
    with connect(url, api_key, profile) as api:
        try:
            _tail(api, interval)
        except KeyboardInterrupt:
            return  # the way to stop following: not an error


def _tail(api: Api, interval: float) -> None:
    followed: dict[str, Timeline] = {}
    finished: set[str] = set()
    first = True
    while True:
        for call in api.get("/calls", {"limit": 50})["data"]:
            call_id = str(call["id"])
            if call_id in followed or call_id in finished:
                continue
            if first and call["status"] in FINAL:
                finished.add(call_id)  # over before we started: history, not live
                continue
            followed[call_id] = Timeline(api, call_id)
            _say(heading(call))
        first = False
        for call_id, timeline in list(followed.items()):
            for line in timeline.read():
                _say(f"{call_id[-8:]} {line}")
            if timeline.over:
                _say(f"{call_id[-8:]} final status: {timeline.status}")
                finished.add(call_id)
                del followed[call_id]
        time.sleep(interval)


def _say(line: str) -> None:
    out.print(line, markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(calls_app, name="calls", rich_help_panel=CLIENT)
