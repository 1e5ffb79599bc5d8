"""How admin commands find their database: they say which one, and never create an empty
SQLite file by accident (a mistyped directory used to leave a `callroute.db` and its key behind).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from callroute.cli.exits import CliFailure, Exit
from callroute.cli.output import err

if TYPE_CHECKING:
    from callroute.config import Settings
    from callroute.db.session import Database

T = TypeVar("T")

# The commands `make run` runs, in the directory it runs them in (the checkout, beside the
# Makefile): there the first run creates the embedded database, as it always has.
MAKE_RUN_COMMANDS = frozenset({"migrate", "demo", "serve"})


def admin_settings(command: str, *, create: bool = False) -> Settings:
    """The settings of an admin command, once its database is known to exist (or may be
    created); prints which database it is on stderr, password hidden."""
    # Imported here: the client commands never load the database's modules (a quicker start).
    from callroute.config import load_settings
    from callroute.logging import configure_logging

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    path = settings.sqlite_path
    if path is not None and not path.exists():
        explicit = "database_url" in settings.model_fields_set
        if not (create or explicit or (command in MAKE_RUN_COMMANDS and _is_make_run_dir())):
            here = "; `callroute migrate --create` makes one here" if command == "migrate" else ""
            raise CliFailure(
                f"no database at {_shown(path)}: run `callroute migrate` in the directory of "
                f"`make run`, or set CALLROUTE_DATABASE_URL{here}",
                Exit.NO_DATABASE,
            )
        err.print(f"database: {safe_url(settings)} (new)", markup=False, highlight=False)
    else:
        err.print(f"database: {safe_url(settings)}", markup=False, highlight=False)
    return settings


def _is_make_run_dir() -> bool:
    makefile = Path("Makefile")
    return makefile.is_file() and "callroute migrate" in makefile.read_text(errors="replace")


def _shown(path: Path) -> str:
    return str(path) if path.is_absolute() or str(path).startswith(".") else f"./{path}"


def safe_url(settings: Settings) -> str:
    return settings.db_url.render_as_string(hide_password=True)


def database(settings: Settings) -> Database:
    from callroute.db.session import Database

    return Database(settings.database_url, connect_timeout=settings.db_connect_timeout_seconds)


def run(coro_factory: Callable[[], Awaitable[T]]) -> T:
    async def runner() -> T:
        return await coro_factory()

    return asyncio.run(runner())
