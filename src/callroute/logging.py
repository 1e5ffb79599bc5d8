"""Structured logs: JSON lines in production, readable lines on a terminal.

Every line logged while a request is handled carries its ``request_id`` (bound in a contextvar
by the request middleware). Standard-library loggers (uvicorn, alembic) go through the same
renderer so the output is one format.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import structlog

from callroute.config import LogFormat


def configure_logging(level: str = "INFO", fmt: LogFormat = LogFormat.AUTO) -> None:
    use_json = fmt == LogFormat.JSON or (fmt == LogFormat.AUTO and not sys.stderr.isatty())
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_pid,  # `serve --workers N` and the timer workers: which process said it
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if use_json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info if use_json else _identity,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn installs its own handlers; route them through ours instead.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # Our middleware logs each request with its id; uvicorn's access line would be a duplicate.
    logging.getLogger("uvicorn.access").disabled = True
    # Alembic narrates every schema check at INFO; `callroute migrate` prints its own summary.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLevelName(level)))


def _add_pid(_logger: Any, _name: str, event_dict: Any) -> Any:
    event_dict.setdefault("pid", os.getpid())
    return event_dict


def _identity(_logger: Any, _name: str, event_dict: Any) -> Any:
    return event_dict
