"""`callroute secret-key`: a new key, and re-encrypting the database's secrets with it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from callroute.cli.database import admin_settings, database, run
from callroute.cli.output import out

if TYPE_CHECKING:
    from callroute.key_rotation.service import Rotated

# A group that still prints a key when called alone: `callroute secret-key` is in the docs.
secret_key_app = typer.Typer(invoke_without_command=True)


@secret_key_app.callback()
def secret_key(ctx: typer.Context) -> None:
    """Print a new random value for CALLROUTE_SECRET_KEY; `rotate` re-encrypts with it."""
    if ctx.invoked_subcommand is None:
        from callroute.config import generate_secret_key

        print(generate_secret_key())


@secret_key_app.command("rotate")
def secret_key_rotate() -> None:
    """Re-encrypt every stored secret with CALLROUTE_SECRET_KEY, reading the old values with
    CALLROUTE_PREVIOUS_SECRET_KEYS (safe to run again; all or nothing)."""
    from callroute.db.schema import require_current_schema
    from callroute.key_rotation.service import KeyRotationService

    settings = admin_settings("secret-key")
    keys = settings.secret_keys()

    async def go() -> list[Rotated]:
        db = database(settings)
        try:
            await require_current_schema(db.engine)
            async with db.unit_of_work() as session:
                return await KeyRotationService(session, keys).rotate()
        finally:
            await db.dispose()

    for rotated in run(go):
        out.print(
            f"{rotated.kind}: {rotated.reencrypted} re-encrypted, "
            f"{rotated.current} already under the current key"
        )


def register(app: typer.Typer) -> None:
    app.add_typer(secret_key_app, name="secret-key", rich_help_panel="Admin (on the database)")
