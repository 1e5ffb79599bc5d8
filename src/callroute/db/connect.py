"""Engines for the two supported databases, with the settings each one needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, ExceptionContext, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 5000
READONLY_OPTION = "callroute_readonly"


def create_engine(
    url: str | URL,
    *,
    connect_timeout: float = 5.0,
    statement_timeout: float | None = None,
    **kwargs: Any,
) -> AsyncEngine:
    """``statement_timeout``: how long one statement may wait for PostgreSQL's answer
    (default: ``connect_timeout``); None only where a statement may legitimately run long
    (migrations pass ``0`` for no bound)."""
    url = make_url(url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, **kwargs)
    bound = connect_timeout if statement_timeout is None else statement_timeout
    return _postgres_engine(url, connect_timeout=connect_timeout, statement_timeout=bound, **kwargs)


def _postgres_engine(
    url: URL, *, connect_timeout: float, statement_timeout: float, **kwargs: Any
) -> AsyncEngine:
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    # Fail fast when the database is away: a request answers 503 within seconds
    # instead of hanging until the client gives up.
    kwargs.setdefault("pool_timeout", connect_timeout)
    # No ping before each checkout: it is a round trip on every request. A connection the
    # server dropped fails its first statement instead; SQLAlchemy then discards every pooled
    # connection as old as it, so after an outage one request answers 503 and the next ones
    # reconnect.
    kwargs.setdefault("pool_pre_ping", False)
    # Every wait on the database is bounded: connecting (timeout), a pooled connection
    # (pool_timeout), and each statement (command_timeout). Without the last, a database that
    # goes silent (a network partition: the connection stays open, nothing comes back) holds a
    # request for as long as the kernel keeps the socket, and a timer worker with it.
    connect_args: dict[str, Any] = {"timeout": connect_timeout}
    if statement_timeout > 0:
        connect_args["command_timeout"] = statement_timeout
    engine = create_async_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine.sync_engine, "handle_error")
    def _timeout_is_a_disconnect(context: ExceptionContext) -> None:
        # A statement that timed out leaves its connection in an unknown state (mid-query on a
        # silent network): it is thrown away, never handed out again, and the pool with it.
        if isinstance(context.original_exception, TimeoutError):
            context.is_disconnect = True
            # Abort the socket now: a graceful close would wait on the silent network too.
            fairy = context.connection.connection if context.connection is not None else None
            driver = getattr(fairy, "driver_connection", None)
            terminate = getattr(driver, "terminate", None)
            if terminate is not None:
                terminate()

    return engine


def _sqlite_engine(url: URL, **kwargs: Any) -> AsyncEngine:
    database = url.database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    engine = create_async_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over BEGIN from the driver (see _on_begin) and set the pragmas every
        # connection needs: WAL for concurrent readers, enforced foreign keys, and a busy
        # timeout so writers queue instead of failing.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A write transaction takes the write lock up front (IMMEDIATE): a deferred transaction
        # that later upgrades to writing can fail at once with "database is locked", which the
        # busy timeout does not cover. Read-only units of work keep a plain deferred BEGIN.
        if conn.get_execution_options().get(READONLY_OPTION):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
