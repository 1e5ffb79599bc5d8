"""Twilio's REST API through the official ``twilio`` library, over httpx.

The library builds every request (paths, parameter names, pagination) and parses every
answer; only the transport is ours: an httpx client shared by the process, which retries
what Twilio asks to be retried (429, 5xx, connection errors) with exponential backoff, and
which tests intercept at the transport. Twilio's errors become callroute errors that keep
Twilio's own code and message.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http import AsyncHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from callroute.errors import ApiError, ProviderRejected, ProviderUnavailable
from callroute.providers.twilio.account import Credentials

_log = logging.getLogger("callroute.twilio")

RETRIES = 3  # attempts after the first
FIRST_BACKOFF_SECONDS = 0.25
MAX_BACKOFF_SECONDS = 4.0
TIMEOUT_SECONDS = 10.0
_RETRIED_STATUSES = {429, 500, 502, 503, 504}


class HttpxTwilioClient(AsyncHttpClient):  # type: ignore[misc]  # untyped library
    """The library's async transport, on httpx, with retries."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        backoff: float = FIRST_BACKOFF_SECONDS,
        max_backoff: float = MAX_BACKOFF_SECONDS,
        base_url: str | None = None,
    ) -> None:
        super().__init__(_log, is_async=True, timeout=TIMEOUT_SECONDS)
        self.http = http
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.base_url = base_url.rstrip("/") if base_url else None

    async def request(
        self,
        method: str,
        uri: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        delay = self.backoff
        if self.base_url is not None:  # the library builds https://api[.edge.region].twilio.com
            uri = self.base_url + httpx.URL(uri).raw_path.decode("ascii")
        for attempt in range(RETRIES + 1):
            try:
                response = await self.http.request(
                    method,
                    uri,
                    params=_flatten(params),
                    data=_flatten(data),
                    headers=headers,
                    auth=auth,
                    timeout=timeout or self.timeout,
                    follow_redirects=allow_redirects,
                )
            except httpx.TransportError as exc:
                if attempt == RETRIES:
                    raise ProviderUnavailable(
                        f"Twilio could not be reached: {type(exc).__name__}: {exc}"
                    ) from exc
            else:
                if response.status_code not in _RETRIED_STATUSES or attempt == RETRIES:
                    return Response(response.status_code, response.text, response.headers)
                delay = _retry_after(response, delay)
            await asyncio.sleep(min(delay, self.max_backoff))
            delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover


def _flatten(values: dict[str, object] | None) -> dict[str, Any] | None:
    """The library leaves unset parameters as its ``unset`` marker; httpx needs plain data."""
    if values is None:
        return None
    return {k: v for k, v in values.items() if v is not None}


def _retry_after(response: httpx.Response, default: float) -> float:
    header = response.headers.get("retry-after")
    if header and header.isdigit():
        return float(header)
    return default


def client(
    credentials: Credentials,
    http: httpx.AsyncClient,
    *,
    backoff: float = FIRST_BACKOFF_SECONDS,
    max_backoff: float = MAX_BACKOFF_SECONDS,
    base_url: str | None = None,
) -> Client:
    """A library client for one account; an API key pair is used when there is one."""
    username, password = credentials.account_sid, credentials.auth_token
    if credentials.api_key_sid and credentials.api_key_secret:
        username, password = credentials.api_key_sid, credentials.api_key_secret
    return Client(
        username,
        password,
        account_sid=credentials.account_sid,
        region=credentials.region,
        edge=credentials.edge,
        http_client=HttpxTwilioClient(
            http, backoff=backoff, max_backoff=max_backoff, base_url=base_url
        ),
    )


def twilio_message(exc: TwilioException) -> str:
    """Twilio's own message (the library prefixes it with "Unable to create record: ")."""
    message = str(getattr(exc, "msg", None) or exc)
    if message.startswith("Unable to ") and ": " in message:
        return message.split(": ", 1)[1]
    return message


def translated(exc: TwilioException, doing: str) -> ApiError:
    """Twilio's error as a callroute error, with Twilio's code and message kept. An error
    that is not Twilio's answer to a request (a page that failed to load) is an outage."""
    if not isinstance(exc, TwilioRestException):
        return ProviderUnavailable(f"{doing} failed. Twilio: {exc}")
    message = twilio_message(exc)
    detail = f"Twilio error {exc.code}: {message}" if exc.code else f"Twilio: {message}"
    details: list[dict[str, str | None]] = [
        {"field": "twilio_code", "message": str(exc.code) if exc.code else None},
        {"field": "twilio_status", "message": str(exc.status)},
    ]
    message = f"{doing} failed. {detail}"
    if exc.status is not None and 400 <= exc.status < 500:
        return ProviderRejected(message, details=details)
    return ProviderUnavailable(message, details=details)
