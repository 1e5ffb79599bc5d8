"""An app with one of every object, its OpenAPI document, and requests counted and checked
against that document: what the OpenAPI property tests share."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections import Counter
from typing import Any

import httpx

from callroute.app import create_app
from callroute.app_context import AppContext
from callroute.config import Settings
from callroute.db.session import Database
from tests import factories
from tests.conftest import TEST_SECRET_KEY, Tenant, make_tenant

JSON = dict[str, Any]
PARAM = re.compile(r"\{(\w+)\}")


def provider(request: httpx.Request) -> httpx.Response:
    """Every third-party API, at the transport: a provider that refuses the credentials."""
    return httpx.Response(401, json={"code": 20003, "message": "Authenticate", "status": 401})


class Harness:
    """One project with one of every object, in a private event loop (Hypothesis drives the
    tests synchronously)."""

    def __init__(self, url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.db = Database(url)
        self.ctx = AppContext(
            settings=Settings(
                database_url=url,
                secret_key=TEST_SECRET_KEY,
                rate_limit_per_minute=0,
                auth_failures_per_minute=0,
            ),
            db=self.db,
            http=httpx.AsyncClient(transport=httpx.MockTransport(provider)),
        )
        self.app = create_app(ctx=self.ctx)
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://callroute.test"
        )
        self.tenant: Tenant = self.run(make_tenant(self.ctx, "Property"))
        self.ids: dict[str, str] = self.run(self._objects())
        self.document: JSON = self.app.openapi()
        self.sent: Counter[str] = Counter()

    async def _objects(self) -> dict[str, str]:
        ids = await factories.one_of_each(self.client, self.tenant)
        router = (
            await self.client.get(f"/api/v1/routers/{ids['router_id']}", headers=self.headers)
        ).json()
        ids["routing_id"] = str(router["handle"])
        ids["incoming_call_policy_id"] = ids["router_id"]
        ids["incoming_call_log_id"] = ids["call_id"]
        ids["uid"] = ids["call_id"]
        return ids

    @property
    def headers(self) -> dict[str, str]:
        return self.tenant.headers

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def operations(self) -> list[tuple[str, str, JSON]]:
        """(method, path template, operation) for every documented operation, deletes last."""
        found = [
            (method.upper(), path, operation)
            for path, item in self.document["paths"].items()
            for method, operation in item.items()
        ]
        return sorted(found, key=lambda op: op[0] == "DELETE")

    def fill(self, template: str, **given: str) -> str:
        """The path with each parameter replaced: as given, else an object's id, else an id
        that names nothing."""

        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            return given.get(name) or self.ids.get(name) or str(uuid.uuid4())

        return PARAM.sub(value, template)

    def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        self.sent[method] += 1
        headers = {**self.headers, **kwargs.pop("headers", {})}
        if isinstance(kwargs.get("data"), bytes | str):  # raw bytes are httpx's `content`
            kwargs["content"] = kwargs.pop("data")
        response: httpx.Response = self.run(
            self.client.request(method, url, headers=headers, **kwargs)
        )
        return response

    def close(self) -> None:
        self.run(self.client.aclose())
        self.run(self.ctx.http.aclose())
        self.run(self.db.dispose())
        self.loop.close()


def check(operation: JSON, method: str, path: str, response: httpx.Response, sent: Any) -> None:
    """No 5xx, and only statuses the document lists for the operation."""
    where = f"{method} {path} with {sent!r}"
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:500]}"
    documented = set(operation["responses"])
    assert str(response.status_code) in documented, (
        f"{where}: {response.status_code} is not documented ({sorted(documented)}): "
        f"{response.text[:300]}"
    )
