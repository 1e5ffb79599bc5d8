"""`callroute simulate call`: a call placed on the server's simulator through its API, then
narrated from the API until it is over (the server's timers run it, on the real clock)."""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer

from callroute.cli.client import CLIENT, ApiKey, ProfileName, Url, connect
from callroute.cli.exits import CliFailure, Exit
from callroute.cli.http import Api
from callroute.cli.output import out
from callroute.cli.timeline import Timeline, heading
from callroute.providers.simulator.script import parse_behaviour, parse_script_text

POLL_SECONDS = 0.25
QUIET_SECONDS = 2.0  # after the call ends, how long to wait for a late transcript
MAX_SECONDS = 30 * 60

simulate_app = typer.Typer(help="Place calls on the server's simulator.", no_args_is_help=True)


def unknown_names(script_text: str, members: list[dict[str, Any]]) -> list[str]:
    """The phones of a script that name nobody: not a member's name or id, nor a number or SIP
    URI (those may ring someone who is not a member: a forward, a trunk)."""
    known = {str(m["name"]).casefold() for m in members} | {str(m["id"]) for m in members}
    unknown = []
    for item in filter(None, (part.strip() for part in script_text.split(","))):
        key = item.partition("=")[0].strip()
        if key.startswith("+") or key.lower().startswith("sip:"):
            continue
        if key.casefold() not in known:
            unknown.append(key)
    return unknown


@simulate_app.command("call")
def simulate_call(
    to: Annotated[str, typer.Option("--to", help="A simulator number of one of your routers.")],
    from_: Annotated[str, typer.Option("--from", help="The caller's number.")] = "+14155550199",
    digits: Annotated[
        list[str] | None,
        typer.Option(help="Keys the caller presses, one option per prompt (PIN, menu)."),
    ] = None,
    script: Annotated[
        str,
        typer.Option(
            help='How phones behave: "Ann=no-answer,+14155550102=answer-after:5" (a member\'s '
            "name or id, or a number); behaviours: answer, answer-after:N, no-answer, busy, "
            "unreachable, voicemail, decline."
        ),
    ] = "",
    default: Annotated[
        str, typer.Option(help="Behaviour of phones not in the script.")
    ] = "no-answer",
    hangup_after: Annotated[float | None, typer.Option(help="Caller hangs up after N s.")] = None,
    message_seconds: Annotated[int, typer.Option(help="Voicemail length the caller leaves.")] = 8,
    url: Url = None,
    api_key: ApiKey = None,
    profile: ProfileName = None,
) -> None:
    """Place a simulated call through the server and print its timeline as it happens."""
    phones = parse_script_text(script)
    parse_behaviour(default, "default")
    with connect(url, api_key, profile) as api:
        members = list(api.pages("/members", {}, None))
        unknown = unknown_names(script, members)
        if unknown:
            names = ", ".join(sorted(str(m["name"]) for m in members)) or "none"
            raise CliFailure(
                f"--script names nobody in the project: {', '.join(unknown)} "
                f"(members: {names}; or give a number)"
            )
        call = api.post(
            "/simulator/calls",
            {
                "to": to,
                "from": from_,
                "digits": digits or [],
                "phones": phones,
                "default": default,
                "hangup_after": hangup_after,
                "message_seconds": message_seconds,
            },
        )
        out.print(heading(call), markup=False, highlight=False)
        status = follow(api, str(call["id"]))
    out.print(f"final status: {status}", markup=False, highlight=False)
    if status == "failed":
        raise typer.Exit(Exit.ERROR)


def follow(api: Api, call_id: str) -> str:
    """Prints the call's timeline until it is over and quiet; returns its final status."""
    timeline = Timeline(api, call_id)
    deadline = time.monotonic() + MAX_SECONDS
    quiet_since: float | None = None
    while time.monotonic() < deadline:
        lines = timeline.read()
        for line in lines:
            out.print(line, markup=False, highlight=False)
        if timeline.over:
            now = time.monotonic()
            quiet_since = now if lines or quiet_since is None else quiet_since
            if now - quiet_since >= QUIET_SECONDS:
                return timeline.status
        time.sleep(POLL_SECONDS)
    raise CliFailure(f"call {call_id} did not finish in {MAX_SECONDS // 60} minutes")


def register(app: typer.Typer) -> None:
    app.add_typer(simulate_app, name="simulate", rich_help_panel=CLIENT)
