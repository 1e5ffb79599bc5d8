"""The exit codes of every command (docs/cli.md lists them): scripts branch on these."""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    OK = 0
    ERROR = 1  # the server refused the request, something was not found, a local error
    USAGE = 2  # a wrong option or argument (Typer's own code); for `plan`: there are changes
    UNREACHABLE = 3  # the server could not be reached, or did not answer like callroute
    AUTH = 4  # no API key, or the server refused it (401) or its permissions (403)
    NO_DATABASE = 5  # an admin command found no database and did not create one
    INTERRUPTED = 130  # Ctrl-C, as shells report it


PLAN_CHANGES = Exit.USAGE  # `plan` exits 2 when there are changes, like terraform's


class CliFailure(Exception):
    """A failure the user reads as one line (or a line per problem), then the exit code."""

    def __init__(self, message: str, code: Exit = Exit.ERROR, details: list[str] | None = None):
        super().__init__(message)
        self.code = code
        self.details = details or []
