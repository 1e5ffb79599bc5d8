"""The ``callroute`` command."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import exc as sa_exc

from callroute import __version__
from callroute.auth.permissions import Role
from callroute.clock import SystemClock
from callroute.config import Settings, generate_secret_key, load_settings
from callroute.errors import ApiError, CallrouteError, ConfigError
from callroute.logging import configure_logging

T = TypeVar("T")

app = typer.Typer(
    help="callroute: self-hosted live call routing.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
api_key_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
app.add_typer(api_key_app, name="api-key")
member_app = typer.Typer(help="Members' console sign-in.", no_args_is_help=True)
app.add_typer(member_app, name="member")
simulate_app = typer.Typer(help="Place calls on the built-in simulator.", no_args_is_help=True)
app.add_typer(simulate_app, name="simulate")

# Lines never wrap at 80 columns when piped or logged: a key or an error stays one line.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _settings() -> Settings:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return settings


def _run(coro_factory: Callable[[], Awaitable[T]]) -> T:
    async def runner() -> T:
        return await coro_factory()

    return asyncio.run(runner())


@app.command()
def version() -> None:
    """Print the callroute version."""
    out.print(__version__)


# A group that still prints a key when called alone: `callroute secret-key` is in the docs.
secret_key_app = typer.Typer(invoke_without_command=True)
app.add_typer(secret_key_app, name="secret-key")


@secret_key_app.callback()
def secret_key(ctx: typer.Context) -> None:
    """Print a new random value for CALLROUTE_SECRET_KEY; `rotate` re-encrypts with it."""
    if ctx.invoked_subcommand is None:
        print(generate_secret_key())


@secret_key_app.command("rotate")
def secret_key_rotate() -> None:
    """Re-encrypt every stored secret with CALLROUTE_SECRET_KEY, reading the old values with
    CALLROUTE_PREVIOUS_SECRET_KEYS (safe to run again; all or nothing)."""
    from callroute.db.schema import require_current_schema
    from callroute.key_rotation.service import KeyRotationService, Rotated

    settings = _settings()
    keys = settings.secret_keys()

    async def go() -> list[Rotated]:
        db = _database(settings)
        try:
            await require_current_schema(db.engine)
            async with db.unit_of_work() as session:
                return await KeyRotationService(session, keys).rotate()
        finally:
            await db.dispose()

    for rotated in _run(go):
        out.print(
            f"{rotated.kind}: {rotated.reencrypted} re-encrypted, "
            f"{rotated.current} already under the current key"
        )


@app.command()
def migrate(
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
) -> None:
    """Create or upgrade the database schema (safe to run again)."""
    from callroute.db.connect import create_engine
    from callroute.db.schema import migrate as run_migrations
    from callroute.db.schema import schema_status

    settings = _settings()

    async def go() -> str:
        engine = create_engine(
            settings.database_url,
            connect_timeout=settings.db_connect_timeout_seconds,
            statement_timeout=0,  # a migration may rewrite a large table
        )
        try:
            await run_migrations(engine, revision)
            return (await schema_status(engine)).describe()
        finally:
            await engine.dispose()

    out.print(f"migrated {_safe_url(settings)}: {_run(go)}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT", help="Port to listen on.")] = 8080,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the API (refuses to start on an unmigrated database)."""
    import uvicorn

    from callroute.db.connect import create_engine
    from callroute.db.schema import require_current_schema

    settings = _settings()
    settings.resolve_secret_key()

    async def check() -> None:
        engine = create_engine(
            settings.database_url, connect_timeout=settings.db_connect_timeout_seconds
        )
        try:
            await require_current_schema(engine)
        finally:
            await engine.dispose()

    _run(check)
    _require_free_port(host, port)
    created_metrics_dir = _metrics_directory(workers)
    err.print(
        f"callroute {__version__} serving on http://{host}:{port} "
        f"(database {_safe_url(settings)}; docs at /docs)"
    )
    try:
        uvicorn.run(
            # Each worker process builds its app with this factory, which configures its
            # logging from the same settings as this process.
            "callroute.app:serve_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=None,  # our logging configuration, not uvicorn's
            proxy_headers=True,
        )
    finally:
        if created_metrics_dir is not None:
            shutil.rmtree(created_metrics_dir, ignore_errors=True)


def _require_free_port(host: str, port: int) -> None:
    """Fail with one line, before claiming to serve, when the port is taken. Bound the way
    uvicorn binds (SO_REUSEADDR: a port in TIME_WAIT is free), then let go for it."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family=family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            reason = "the address is already in use" if exc.errno == errno.EADDRINUSE else exc
            raise ConfigError(f"cannot listen on {host}:{port}: {reason}") from exc


def _metrics_directory(workers: int) -> Path | None:
    """Several worker processes share their metrics through a directory (Prometheus
    multiprocess mode), set before they start: the operator's PROMETHEUS_MULTIPROC_DIR, or a
    temporary one, removed at exit (returned then)."""
    from callroute.metrics import MULTIPROCESS_ENV, prepare_multiprocess_directory

    given = os.environ.get(MULTIPROCESS_ENV)
    if workers < 2 and not given:
        return None  # one process keeps its figures in memory
    directory = Path(given) if given else Path(tempfile.mkdtemp(prefix="callroute-metrics-"))
    prepare_multiprocess_directory(directory)
    os.environ[MULTIPROCESS_ENV] = str(directory)
    return None if given else directory


@app.command()
def init(
    project: Annotated[str, typer.Option("--project", help="Name of the new project.")],
    key_name: Annotated[str, typer.Option(help="Name of the owner key.")] = "owner key",
) -> None:
    """Create a project and an owner API key; the key is printed alone on the last line."""
    from callroute.api_keys.schemas import ApiKeyCreate
    from callroute.api_keys.service import ApiKeyService
    from callroute.projects.service import ProjectService

    settings = _settings()

    async def go() -> tuple[str, str, str]:
        db = _database(settings)
        try:
            async with db.unit_of_work() as session:
                clock = SystemClock()
                created = await ProjectService(session, clock).create(project)
                _row, secret = await ApiKeyService(session, created.id, clock).create(
                    ApiKeyCreate(name=key_name, role=Role.OWNER), granter=None
                )
                return created.slug, str(created.id), secret
        finally:
            await db.dispose()

    slug, project_id, secret = _run(go)
    out.print(f"created project {slug} ({project_id}) and an owner API key.")
    out.print("The key is shown once; store it now:")
    print(secret)


@api_key_app.command("create")
def api_key_create(
    project: Annotated[str, typer.Option(help="Project slug or id.")],
    name: Annotated[str, typer.Option(help="What the key is for.")],
    role: Annotated[Role | None, typer.Option(help="Grant a role.")] = None,
    permission: Annotated[
        list[str] | None, typer.Option(help="Grant one permission (repeatable), e.g. routers:read.")
    ] = None,
    expires_in_days: Annotated[int | None, typer.Option(min=1, help="Expire after N days.")] = None,
) -> None:
    """Create an API key; the key is printed alone on the last line."""
    from callroute.api_keys.schemas import ApiKeyCreate
    from callroute.api_keys.service import ApiKeyService
    from callroute.projects.service import ProjectService

    settings = _settings()
    clock = SystemClock()
    expires_at = clock.now() + timedelta(days=expires_in_days) if expires_in_days else None
    if (role is None) == (not permission):
        raise ConfigError("give exactly one of --role or --permission")
    data = ApiKeyCreate(name=name, role=role, permissions=permission, expires_at=expires_at)

    async def go() -> str:
        db = _database(settings)
        try:
            async with db.unit_of_work() as session:
                found = await ProjectService(session, clock).find(project)
                _row, secret = await ApiKeyService(session, found.id, clock).create(
                    data, granter=None
                )
                return secret
        finally:
            await db.dispose()

    secret = _run(go)
    out.print("The key is shown once; store it now:")
    print(secret)


@api_key_app.command("list")
def api_key_list(project: Annotated[str, typer.Option(help="Project slug or id.")]) -> None:
    """List a project's API keys (never their secrets)."""
    from callroute.api_keys.schemas import ApiKeyListQuery
    from callroute.api_keys.service import ApiKeyService
    from callroute.projects.service import ProjectService

    settings = _settings()
    clock = SystemClock()
    table = Table("prefix", "name", "access", "created", "last used", "status")

    async def go() -> None:
        db = _database(settings)
        try:
            async with db.unit_of_work(readonly=True) as session:
                found = await ProjectService(session, clock).find(project)
                service = ApiKeyService(session, found.id, clock)
                query = ApiKeyListQuery(limit=200)
                while True:
                    page = await service.page(query)
                    for key in page.rows:
                        status = (
                            "revoked"
                            if key.revoked_at
                            else (
                                "expired"
                                if key.expires_at and key.expires_at <= clock.now()
                                else "active"
                            )
                        )
                        table.add_row(
                            key.prefix,
                            key.name,
                            key.role or ",".join(key.permissions or []),
                            f"{key.created_at:%Y-%m-%d %H:%M}",
                            f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never",
                            status,
                        )
                    if page.next_cursor is None:
                        break
                    query = ApiKeyListQuery(limit=200, cursor=page.next_cursor)
        finally:
            await db.dispose()

    _run(go)
    out.print(table)


@api_key_app.command("revoke")
def api_key_revoke(
    key: Annotated[str, typer.Argument(help="The key's id or visible prefix (crk_...).")],
    project: Annotated[str, typer.Option(help="Project slug or id.")],
) -> None:
    """Revoke an API key; it stops working at once."""
    from callroute.api_keys.service import ApiKeyService
    from callroute.projects.service import ProjectService

    settings = _settings()
    clock = SystemClock()

    async def go() -> str:
        db = _database(settings)
        try:
            async with db.unit_of_work() as session:
                found = await ProjectService(session, clock).find(project)
                row = await ApiKeyService(session, found.id, clock).revoke(key)
                return row.prefix
        finally:
            await db.dispose()

    out.print(f"revoked {_run(go)}")


@app.command()
def worker(
    batch: Annotated[int, typer.Option(min=1, max=1000, help="Timers claimed at a time.")] = 100,
    concurrency: Annotated[int, typer.Option(min=1, max=200, help="Timers in flight.")] = 8,
    host: Annotated[str, typer.Option(help="Interface of --port.")] = "127.0.0.1",
    port: Annotated[
        int | None,
        typer.Option(min=1, max=65535, help="Serve /healthz, /readyz and /metrics on this port."),
    ] = None,
) -> None:
    """Run only the timer runner (escalations, provider commands, webhooks)."""
    import signal

    from callroute.app_context import AppContext
    from callroute.db.schema import require_current_schema
    from callroute.timers.runner import Runner

    settings = _settings()
    settings.resolve_secret_key()

    async def go() -> None:
        ctx = AppContext(settings=settings, db=_database(settings))
        try:
            await require_current_schema(ctx.db.engine)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            runner = Runner(ctx, batch=batch, concurrency=concurrency)
            ctx.runner = runner
            health = None
            if port is not None:
                health = await _serve_health(ctx, host, port)
            where = f"; health on http://{host}:{port}" if port is not None else ""
            err.print(
                f"callroute worker {runner.worker_id} running "
                f"(database {_safe_url(settings)}{where})"
            )
            try:
                await runner.run(stop)
            finally:
                if health is not None:
                    health[0].should_exit = True
                    await health[1]
        finally:
            await ctx.http.aclose()
            await ctx.db.dispose()

    _run(go)


async def _serve_health(ctx: object, host: str, port: int) -> tuple[Any, asyncio.Task[None]]:
    """/healthz, /readyz and /metrics of a worker, served beside its runner in the same loop
    (the worker's own signal handlers stay in charge: uvicorn's are not installed)."""
    import uvicorn

    from callroute.app_context import AppContext
    from callroute.ops import health_app

    assert isinstance(ctx, AppContext)
    config = uvicorn.Config(health_app(ctx), host=host, port=port, log_config=None, lifespan="off")
    server = uvicorn.Server(config)

    async def serving() -> None:
        with contextlib.suppress(SystemExit):  # uvicorn exits when it cannot listen
            await server._serve()  # serve() would take over SIGTERM and SIGINT

    task = asyncio.create_task(serving())
    while not server.started:
        if task.done():  # it could not listen (the port is in use): startup exits
            raise ConfigError(f"cannot serve /readyz on {host}:{port}: is the port in use?")
        await asyncio.sleep(0.01)
    return server, task


@app.command()
def demo() -> None:
    """Create the demo project (once) and print a `callroute simulate` command to try it."""
    from callroute.simulated_calls.demo import Demo, seed_demo

    settings = _settings()
    secret_keys = settings.secret_keys()

    async def go() -> Demo:
        db = _database(settings)
        try:
            async with db.unit_of_work() as session:
                return await seed_demo(session, SystemClock(), secret_keys)
        finally:
            await db.dispose()

    seeded = _run(go)
    if seeded.api_key:
        out.print(f"Created the demo project with the simulator number {seeded.number}.")
        out.print(f"Its owner API key (shown once): {seeded.api_key}")
    if seeded.console_password:
        out.print(
            f"Sign in to the console at {settings.public_url}/ as {seeded.console_email} "
            f"with the password (shown once): {seeded.console_password}"
        )
    out.print("Place a call through greeting, menu, two escalation levels and voicemail with:")
    print(f"  {seeded.simulate_command()}")


@member_app.command("set-password")
def member_set_password(
    project: Annotated[str, typer.Option(help="Project slug or id.")],
    email: Annotated[str, typer.Option(help="The member's e-mail address.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Set the password a member signs in to the web console with (at least 12 characters)."""
    from callroute.console.service import set_password
    from callroute.members.repository import MemberRepository
    from callroute.projects.service import ProjectService

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    settings = _settings()

    async def go() -> str:
        db = _database(settings)
        try:
            async with db.unit_of_work() as session:
                found = await ProjectService(session, SystemClock()).find(project)
                member = await MemberRepository(session, found.id).by_email(email)
                if member is None:
                    raise ConfigError(f"no member with the e-mail {email!r} in {found.slug}")
                try:
                    await set_password(session, member, password)
                except ValueError as exc:
                    raise ConfigError(str(exc)) from exc
                return f"{member.name} <{email}> in {found.slug}"
        finally:
            await db.dispose()

    out.print(f"password set for {_run(go)}")


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
            help='How phones behave: "Ann=no-answer,+14155550102=answer-after:5"; behaviours: '
            "answer, answer-after:N, no-answer, busy, unreachable, voicemail, decline."
        ),
    ] = "",
    default: Annotated[
        str, typer.Option(help="Behaviour of phones not in the script.")
    ] = "no-answer",
    hangup_after: Annotated[float | None, typer.Option(help="Caller hangs up after N s.")] = None,
    message_seconds: Annotated[int, typer.Option(help="Voicemail length the caller leaves.")] = 8,
    fast: Annotated[bool, typer.Option(help="Run on a virtual clock: no waiting.")] = False,
) -> None:
    """Place a simulated call and print its timeline as it happens."""
    from callroute.api.schemas import normalise_phone
    from callroute.providers.simulator.script import Script, parse_behaviour, parse_script_text
    from callroute.simulated_calls.runner import follow_call

    settings = _settings()
    settings.resolve_secret_key()
    try:
        to_number, from_number = normalise_phone(to), normalise_phone(from_)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    parse_behaviour(default, "default")
    plan = Script(
        phones=parse_script_text(script),
        default=default,
        digits=digits or [],
        hangup_after=hangup_after,
        message_seconds=message_seconds,
    )
    status = _run(
        lambda: follow_call(settings, to_number, from_number, plan, fast=fast, console=out)
    )
    if status == "failed":
        sys.exit(1)


def _database(settings: Settings):  # type: ignore[no-untyped-def]
    from callroute.db.session import Database

    return Database(settings.database_url, connect_timeout=settings.db_connect_timeout_seconds)


def _safe_url(settings: Settings) -> str:
    return settings.db_url.render_as_string(hide_password=True)


def main() -> None:
    """Entry point: any failure is one line on stderr and a non-zero exit, not a traceback."""
    try:
        app()
    except (CallrouteError, ApiError) as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        sys.exit(1)
    except (sa_exc.OperationalError, sa_exc.InterfaceError, OSError) as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else repr(exc)
        err.print(
            f"error: cannot reach the database: {reason}",
            markup=False,
            highlight=False,
        )
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
