"""Arbitrary input to the live call router API never produces a 500: random attributes,
documents, query strings and bytes are answered with a 2xx or an error in Rootly's shape."""

from __future__ import annotations

import asyncio
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
from tests import databases
from tests.compat import rootly_support as rs
from tests.compat.rootly_support import BASE
from tests.conftest import TEST_SECRET_KEY, Tenant, make_tenant

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**12), max_value=10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(["voicemail", "live", "US", "local", "service", "team", "Service", ""])
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=10,
)
ATTRIBUTES = [
    "kind",
    "enabled",
    "name",
    "country_code",
    "phone_type",
    "phone_number",
    "voicemail_greeting",
    "caller_greeting",
    "unavailable_responder_message",
    "waiting_music_url",
    "sent_to_voicemail_delay",
    "should_redirect_to_voicemail_on_no_answer",
    "escalation_level_delay_in_seconds",
    "should_auto_resolve_alert_on_call_end",
    "notify_via_sms",
    "alert_urgency_id",
    "calling_tree_enabled",
    "calling_tree_prompt",
    "paging_targets",
    "escalation_policy_trigger_params",
]
QUERY_KEYS = [
    "page[number]",
    "page[size]",
    "filter[search]",
    "filter[name]",
    "filter[slug]",
    "filter[created_at][gt]",
    "filter[created_at][lte]",
    "sort",
    "include",
    "country_code",
    "phone_type",
]


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
        self.directory = self.run(rs.directory(self.client, self.tenant))
        router = self.run(rs.create(self.client, self.tenant, rs.minimal(self.directory)))
        self.router_url = f"{BASE}/{router['id']}"

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def close(self) -> None:
        self.run(self.client.aclose())
        self.run(self.db.dispose())
        self.loop.close()

    def attributes(self) -> st.SearchStrategy[dict[str, Any]]:
        """Valid attributes with some replaced by random values, some left out."""
        valid = rs.minimal(self.directory, name="Fuzzed")
        return st.dictionaries(st.sampled_from(ATTRIBUTES), values, max_size=4).flatmap(
            lambda changes: st.just({**valid, **changes})
        )


@pytest.fixture
def harness(sqlite_template: Path, tmp_path: Path) -> Iterator[Harness]:
    h = Harness(databases.sqlite_copy(sqlite_template, tmp_path))
    yield h
    h.close()


def check(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    assert response.headers["content-type"] == rs.MEDIA_TYPE
    if response.status_code >= 400:
        rs.errors(response, response.status_code)


FUZZ = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(data=st.data())
def test_random_attributes_never_produce_a_500(harness: Harness, data: st.DataObject) -> None:
    method, url = data.draw(st.sampled_from([("POST", BASE), ("PUT", harness.router_url)]))
    attributes = data.draw(harness.attributes())
    response = harness.run(
        harness.client.request(
            method, url, json=rs.document(attributes), headers=rs.headers(harness.tenant)
        )
    )
    check(response)


@FUZZ
@given(data=st.data())
def test_random_documents_never_produce_a_500(harness: Harness, data: st.DataObject) -> None:
    method, url = data.draw(st.sampled_from([("POST", BASE), ("PUT", harness.router_url)]))
    body = data.draw(
        values
        | st.fixed_dictionaries({"data": values})
        | st.fixed_dictionaries(
            {"data": st.fixed_dictionaries({"type": values, "attributes": values})}
        )
    )
    response = harness.run(
        harness.client.request(method, url, json=body, headers=rs.headers(harness.tenant))
    )
    check(response)


@FUZZ
@given(
    path=st.sampled_from([BASE, f"{BASE}/generate_phone_number"]),
    params=st.dictionaries(
        st.sampled_from(QUERY_KEYS) | st.text(min_size=1, max_size=8),
        st.text(max_size=20) | st.integers().map(str),
        max_size=3,
    ),
)
def test_random_query_strings_never_produce_a_500(
    harness: Harness, path: str, params: dict[str, str]
) -> None:
    response = harness.run(
        harness.client.get(path, params=params, headers=rs.headers(harness.tenant))
    )
    check(response)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    raw=st.binary(max_size=200),
    content_type=st.sampled_from([rs.MEDIA_TYPE, "application/json", "text/plain", ""]),
)
def test_random_bytes_never_produce_a_500(harness: Harness, raw: bytes, content_type: str) -> None:
    headers = {"Authorization": f"Bearer {harness.tenant.key}"}
    if content_type:
        headers["Content-Type"] = content_type
    response = harness.run(harness.client.post(BASE, content=raw, headers=headers))
    check(response)
