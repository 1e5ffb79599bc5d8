"""The client commands' HTTP client: the native API's answers, or a `CliFailure` that reads
as one line with its exit code (never a traceback)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from callroute import __version__
from callroute.cli.exits import CliFailure, Exit

API = "/api/v1"
PAGE_SIZE = 200  # the API's largest page


class Api:
    def __init__(self, url: str, api_key: str, timeout: float = 30.0) -> None:
        self.url = url
        self._http = httpx.Client(
            base_url=url,
            timeout=timeout,
            headers={
                "Authorization": f"Bearer {api_key}",
                "User-Agent": f"callroute-cli/{__version__}",
            },
        )

    def close(self) -> None:
        self._http.close()

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.request("POST", path, json=body)

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, API + path, **kwargs)
        except httpx.TimeoutException as exc:
            raise CliFailure(f"cannot reach {self.url}: timed out", Exit.UNREACHABLE) from exc
        except httpx.HTTPError as exc:
            reason = str(exc).strip() or type(exc).__name__
            raise CliFailure(f"cannot reach {self.url}: {reason}", Exit.UNREACHABLE) from exc
        return self._answer(response)

    def pages(self, path: str, params: dict[str, Any], limit: int | None) -> Iterator[Any]:
        """The rows of a list, page after page (the API's cursors), up to ``limit``."""
        given = 0
        cursor = None
        while limit is None or given < limit:
            size = PAGE_SIZE if limit is None else min(PAGE_SIZE, limit - given)
            page = self.get(
                path, {**params, "limit": size, **({"cursor": cursor} if cursor else {})}
            )
            for row in page["data"]:
                yield row
                given += 1
            cursor = page.get("next_cursor")
            if not cursor or not page["data"]:
                return

    def _answer(self, response: httpx.Response) -> Any:
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.is_success:
            if body is None and response.content:
                raise CliFailure(
                    f"{self.url} did not answer like a callroute server "
                    f"({response.status_code}, {response.headers.get('content-type', 'no type')})",
                    Exit.UNREACHABLE,
                )
            return body
        failed = failure(response.status_code, body, response.reason_phrase)
        if response.status_code == 401:
            failed.args = (f"{failed}: check --api-key, CALLROUTE_API_KEY or the profile",)
        raise failed


def failure(status: int, body: Any, reason: str = "") -> CliFailure:
    """The native error shape `{"error": {"code", "message", "field"?, "details"?}}` as a
    line; a 422's problems with their paths as one line each."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return CliFailure(f"the server answered {status} {reason}".rstrip(), _code(status))
    message = str(error.get("message") or error.get("code") or status)
    field = error.get("field")
    if field and not message.startswith(f"{field}:"):
        message = f"{field}: {message}"
    details = error.get("details") if isinstance(error.get("details"), dict) else {}
    problems = [
        f"{problem.get('path', '')}: {problem.get('message', '')}"
        for problem in (details or {}).get("problems", [])
        if isinstance(problem, dict)
    ]
    return CliFailure(message, _code(status), problems)


def _code(status: int) -> Exit:
    return Exit.AUTH if status in (401, 403) else Exit.ERROR
