"""Arbitrary input to the vcita voice-calls API never produces a 500: random bodies, values
of the right names and query strings are answered with a 2xx or vcita's error shape."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import databases
from tests.api.test_fuzz import Harness, json_values, query_values
from tests.compat.test_vcita import BASE, EXAMPLE

FIELDS = [
    *EXAMPLE,
    "price",
    "duration",
    "call_summary",
    "external_app_url",
    "recording_id",
    "external_app_name",
    "handled_by_staff_uid",
]
# Mostly well-formed bodies with a few fields replaced by anything at all.
bodies = (
    st.fixed_dictionaries({}, optional={name: json_values for name in FIELDS}).map(
        lambda changes: {**EXAMPLE, **changes}
    )
    | json_values
)
query_names = st.sampled_from(
    [
        "page",
        "per_page",
        "sort",
        "filter[created_at][gt]",
        "filter[status]",
        "filter[staff_uid]",
        "filter[updated_at][lte]",
        "filter[direction]",
        "filter[x]",
        "filter[created_at][zz]",
    ]
)
queries = st.dictionaries(query_names | st.text(min_size=1, max_size=8), query_values, max_size=3)


@pytest.fixture
def harness(sqlite_template: Path, tmp_path: Path) -> Iterator[Harness]:
    h = Harness(databases.sqlite_copy(sqlite_template, tmp_path))
    yield h
    h.close()


def check(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert body["success"] is False
        assert body["status"] == "Error"
        assert isinstance(body["error"], str)
        assert isinstance(body["error_code"], str)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_bodies_never_produce_a_500(harness: Harness, data: st.DataObject) -> None:
    call_id = harness.ids["call_id"]
    method, path = data.draw(st.sampled_from([("POST", BASE), ("PUT", f"{BASE}/{call_id}")]))
    body = data.draw(bodies)
    if isinstance(body, dict) and data.draw(st.booleans()):
        body["business_uid"] = str(harness.tenant.project_id)
        body["staff_uid"] = harness.ids["member_id"]
        body["client_uid"] = harness.ids["contact_id"]
    response = harness.run(
        harness.client.request(method, path, json=body, headers=harness.tenant.headers)
    )
    check(response)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(params=queries)
def test_random_query_strings_never_produce_a_500(harness: Harness, params: dict[str, str]) -> None:
    response = harness.run(harness.client.get(BASE, params=params, headers=harness.tenant.headers))
    check(response)
