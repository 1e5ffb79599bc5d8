"""The ``callroute`` command: admin commands on a database, client commands through a
server's API, and one exit code per kind of failure (`exits.Exit`, listed in docs/cli.md)."""

from __future__ import annotations

import sys

import typer

from callroute import __version__
from callroute.cli import (
    admin_projects,
    admin_secrets,
    admin_server,
    calls,
    client,
    config_code,
    get,
    oncall,
    simulate,
)
from callroute.cli.exits import CliFailure, Exit
from callroute.cli.output import err, out
from callroute.errors import ApiError, CallrouteError

app = typer.Typer(
    help="callroute: self-hosted live call routing. Admin commands open the database "
    "(CALLROUTE_DATABASE_URL); client commands talk to a server (--url, --api-key, or a "
    "profile written by `callroute login`).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.command()
def version() -> None:
    """Print the callroute version."""
    out.print(__version__)


for module in (admin_server, admin_projects, admin_secrets, client, get, oncall, calls):
    module.register(app)
simulate.register(app)
config_code.register(app)


def _fail(message: str, code: int, details: list[str] | None = None) -> None:
    err.print(f"error: {message}", markup=False, highlight=False)
    for line in details or []:
        err.print(line, markup=False, highlight=False)
    sys.exit(code)


def _unreachable_database(exc: Exception) -> bool:
    """SQLAlchemy is loaded only by the admin commands; the client commands start without it."""
    if isinstance(exc, OSError):
        return True
    sa_exc = sys.modules.get("sqlalchemy.exc")
    return sa_exc is not None and isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError)


def main() -> None:
    """Entry point: any failure is one line on stderr and a documented exit code, never a
    traceback."""
    try:
        # The installed command's name, also under `python -m callroute`: usage lines and
        # the completion script name the command users type.
        app(prog_name="callroute")
    except CliFailure as exc:
        _fail(str(exc), exc.code, exc.details)
    except (CallrouteError, ApiError) as exc:
        _fail(str(exc), Exit.ERROR)
    except Exception as exc:
        if not _unreachable_database(exc):
            raise
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else repr(exc)
        _fail(f"cannot reach the database: {reason}", Exit.ERROR)
    except KeyboardInterrupt:
        sys.exit(Exit.INTERRUPTED)
