"""Arbitrary input never produces a 500: random JSON bodies and query strings against every
native endpoint, always answered with a 2xx or a shaped 4xx."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callroute.app import create_app
from callroute.app_context import AppContext
from callroute.config import Settings
from callroute.db.session import Database
from tests import databases, factories
from tests.conftest import TEST_SECRET_KEY, Tenant, make_tenant

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
field_names = st.sampled_from(
    [
        "name",
        "email",
        "role",
        "time_zone",
        "phones",
        "permissions",
        "expires_at",
        "number",
        "label",
        "verified",
        "limit",
        "cursor",
        "sort",
    ]
)
member_like = st.dictionaries(field_names, json_values, max_size=5)
bodies = member_like | json_values
query_values = st.text(max_size=20) | st.integers().map(str)
queries = st.dictionaries(field_names | st.text(min_size=1, max_size=8), query_values, max_size=3)


class Harness:
    def __init__(self, url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.db = Database(url)
        self.ctx = AppContext(
            settings=Settings(
                database_url=url, secret_key=TEST_SECRET_KEY, rate_limit_per_minute=0
            ),
            db=self.db,
        )
        app = create_app(ctx=self.ctx)
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
        self.tenant: Tenant = self.run(make_tenant(self.ctx, "Fuzz"))
        self.ids: dict[str, str] = self.run(factories.one_of_each(self.client, self.tenant))
        paths = app.openapi()["paths"]
        self.operations = [
            (method.upper(), re.sub(r"\{(\w+)\}", lambda m: self.ids[m.group(1)], path))
            for path, ops in paths.items()
            if path.startswith("/api/v1")
            for method in ops
        ]

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def close(self) -> None:
        self.run(self.client.aclose())
        self.run(self.db.dispose())
        self.loop.close()


@pytest.fixture
def harness(sqlite_template: Path, tmp_path: Path) -> Iterator[Harness]:
    h = Harness(databases.sqlite_copy(sqlite_template, tmp_path))
    yield h
    h.close()


def check(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        error = response.json()["error"]
        assert isinstance(error["code"], str)
        assert isinstance(error["message"], str)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_bodies_never_produce_a_500(harness: Harness, data: st.DataObject) -> None:
    method, path = data.draw(st.sampled_from(harness.operations))
    body = data.draw(bodies)
    response = harness.run(
        harness.client.request(method, path, json=body, headers=harness.tenant.headers)
    )
    check(response)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_query_strings_never_produce_a_500(harness: Harness, data: st.DataObject) -> None:
    lists = [p for m, p in harness.operations if m == "GET"]
    path = data.draw(st.sampled_from(lists))
    params = data.draw(queries)
    response = harness.run(harness.client.get(path, params=params, headers=harness.tenant.headers))
    check(response)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    raw=st.binary(max_size=200),
    content_type=st.sampled_from(
        ["application/json", "text/plain", "application/x-www-form-urlencoded", ""]
    ),
)
def test_random_raw_bytes_never_produce_a_500(
    harness: Harness, raw: bytes, content_type: str
) -> None:
    headers = {**harness.tenant.headers}
    if content_type:
        headers["Content-Type"] = content_type
    response = harness.run(harness.client.post("/api/v1/members", content=raw, headers=headers))
    check(response)
