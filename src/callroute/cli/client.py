"""What every client command takes to reach a server (never a database), and `login`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from callroute.cli.http import Api
from callroute.cli.output import Format, out
from callroute.cli.profiles import (
    DEFAULT_PROFILE,
    Profile,
    config_path,
    require_key,
    resolve,
    write_profile,
)

CLIENT = "Client (through a server's API)"

Url = Annotated[
    str | None,
    typer.Option("--url", envvar="CALLROUTE_URL", help="The server (default: the profile's)."),
]
ApiKey = Annotated[
    str | None,
    typer.Option(
        "--api-key", envvar="CALLROUTE_API_KEY", help="An API key (default: the profile's)."
    ),
]
ProfileName = Annotated[
    str | None,
    typer.Option(
        "--profile", envvar="CALLROUTE_PROFILE", help="A profile written by `callroute login`."
    ),
]
Output = Annotated[Format, typer.Option("--output", "-o", help="table, json or yaml.")]


@contextmanager
def connect(url: str | None, api_key: str | None, profile: str | None) -> Iterator[Api]:
    chosen = resolve(url, api_key, profile)
    api = Api(chosen.url, require_key(chosen))
    try:
        yield api
    finally:
        api.close()


def login(
    url: Annotated[str, typer.Option("--url", help="The server, e.g. http://127.0.0.1:8080.")],
    api_key: Annotated[
        str, typer.Option("--api-key", envvar="CALLROUTE_API_KEY", help="The API key to use.")
    ],
    profile: Annotated[
        str, typer.Option("--profile", help="Name of the profile to write.")
    ] = DEFAULT_PROFILE,
) -> None:
    """Check a server URL and API key, then keep them as a profile in the user's config file."""
    url = url.rstrip("/")
    api = Api(url, api_key)
    try:
        project = api.get("/project")  # refused keys and wrong URLs are not written
    finally:
        api.close()
    path = config_path()
    write_profile(path, profile, Profile(url=url, api_key=api_key))
    out.print(
        f"profile {profile!r} → {url}, project {project['name']} ({project['slug']}); "
        f"written to {path}",
        markup=False,
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel=CLIENT)(login)
