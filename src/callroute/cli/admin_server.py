"""Admin commands that run the service on a database: migrate, serve, worker."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from callroute import __version__
from callroute.cli.database import admin_settings, database, run, safe_url
from callroute.cli.output import err, out
from callroute.errors import ConfigError

Create = Annotated[
    bool,
    typer.Option(
        "--create", help="Create the SQLite database file if it does not exist (anywhere)."
    ),
]


def migrate(
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
    create: Create = False,
) -> None:
    """Create or upgrade the database schema (safe to run again)."""
    from callroute.db.connect import create_engine
    from callroute.db.schema import migrate as run_migrations
    from callroute.db.schema import schema_status

    settings = admin_settings("migrate", create=create)

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

    out.print(f"migrated {safe_url(settings)}: {run(go)}")


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT", help="Port to listen on.")] = 8080,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the API (refuses to start on an unmigrated database)."""
    import uvicorn

    from callroute.db.connect import create_engine
    from callroute.db.schema import require_current_schema

    settings = admin_settings("serve")
    settings.resolve_secret_key()

    async def check() -> None:
        engine = create_engine(
            settings.database_url, connect_timeout=settings.db_connect_timeout_seconds
        )
        try:
            await require_current_schema(engine)
        finally:
            await engine.dispose()

    run(check)
    _require_free_port(host, port)
    created_metrics_dir = _metrics_directory(workers)
    err.print(
        f"callroute {__version__} serving on http://{host}:{port} "
        f"(database {safe_url(settings)}; docs at /docs)"
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

    settings = admin_settings("worker")
    settings.resolve_secret_key()

    async def go() -> None:
        ctx = AppContext(settings=settings, db=database(settings))
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
                f"(database {safe_url(settings)}{where})"
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

    run(go)


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


def register(app: typer.Typer) -> None:
    for command in (migrate, serve, worker):
        app.command(rich_help_panel="Admin (on the database)")(command)
