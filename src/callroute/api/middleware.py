"""The one ASGI middleware every HTTP request passes through.

It gives each request an id (echoed as ``X-Request-ID`` and bound into every log line), bounds
the request body, refuses input that breaks the rules every API shares (``api/edge.py``),
records the Prometheus metrics, logs one line per request, and turns any
exception that escaped the app into the API's error shape (Starlette would otherwise answer
with a plain-text 500 from outside this middleware, without the request id).
"""

from __future__ import annotations

import re
import time
import uuid

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from callroute.api import edge
from callroute.api.errors import ErrorRenderers, unexpected_error
from callroute.errors import ApiError, PayloadTooLarge
from callroute.metrics import Metrics

log = structlog.get_logger("callroute.http")

REQUEST_ID_HEADER = b"x-request-id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
_QUIET_PATHS = {"/healthz", "/readyz", "/metrics"}


class RequestContextMiddleware:
    def __init__(
        self, app: ASGIApp, *, metrics: Metrics, renderers: ErrorRenderers, max_body_bytes: int
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.renderers = renderers
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER, request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            try:
                body_receive, body = await self._bounded_receive(scope, receive)
                edge.check_request(scope, body)
            except ApiError as refused:  # the request's own fault, before any API saw it
                await self._send_error(scope, refused, send_with_id)
            else:
                await self.app(scope, body_receive, send_with_id)
        except Exception as exc:
            if response_started:
                log.error("error_after_response_started", exc_info=exc)
            else:
                await self._send_error(scope, unexpected_error(exc), send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope["method"]
            self.metrics.observe_request(method, route, status, elapsed)
            path = scope["path"]
            line = log.debug if path in _QUIET_PATHS and status < 400 else log.info
            line(
                "request",
                method=method,
                path=path,
                route=route,
                status=status,
                duration_ms=round(elapsed * 1000, 2),
            )
            structlog.contextvars.clear_contextvars()

    async def _bounded_receive(self, scope: Scope, receive: Receive) -> tuple[Receive, bytes]:
        """Read the whole body up front, refusing it once it passes the limit.

        Checking Content-Length alone is not enough: a chunked body has none.
        """
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
            raise self._too_large()
        if scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE") and length in (None, "0"):
            return receive, b""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                # Client went away before sending the body; let the app see the disconnect.
                return _replay([message], receive), b""
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise self._too_large()
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        return _replay([{"type": "http.request", "body": body, "more_body": False}], receive), body

    def _too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(f"request body is larger than {self.max_body_bytes} bytes")

    async def _send_error(self, scope: Scope, error: ApiError, send: Send) -> None:
        response = self.renderers.render(scope["path"], error)
        await response(scope, _no_body, send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


async def _no_body() -> Message:
    return {"type": "http.disconnect"}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            decoded: str = value.decode("latin-1")
            return decoded
    return None


def _request_id(scope: Scope) -> str:
    incoming = _header(scope, REQUEST_ID_HEADER)
    if incoming and _VALID_REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex
