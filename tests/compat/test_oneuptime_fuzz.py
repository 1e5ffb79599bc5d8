"""Arbitrary input never produces a 500 on OneUptime's paths, and every failure has one of
OneUptime's two error shapes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callroute.app import create_app
from tests import databases
from tests.api.test_fuzz import Harness, json_values
from tests.compat import oneuptime_support

COLUMNS = [
    "name",
    "description",
    "isEnabled",
    "repeatPolicyIfNoOneAnswers",
    "repeatPolicyIfNoOneAnswersTimes",
    "labels",
    "routingPhoneNumber",
    "projectCallSMSConfigId",
    "greetingMessage",
    "order",
    "escalateAfterSeconds",
    "userId",
    "incomingCallPolicyId",
    "status",
    "createdAt",
    "_id",
]
OPERATORS = ["EqualTo", "Search", "InBetween", "Includes", "IsNull", "GreaterThan", "nope"]
column_names = st.sampled_from(COLUMNS) | st.text(max_size=8)
typed = st.fixed_dictionaries(
    {"_type": st.sampled_from(OPERATORS)},
    optional={"value": json_values, "startValue": json_values, "endValue": json_values},
)
conditions = st.dictionaries(column_names, json_values | typed, max_size=3)
requests = st.fixed_dictionaries(
    {},
    optional={
        "data": st.dictionaries(column_names, json_values, max_size=5) | json_values,
        "query": conditions | json_values,
        "select": st.dictionaries(column_names, st.booleans() | json_values, max_size=3),
        "sort": st.dictionaries(column_names, st.sampled_from(["ASC", "DESC", -1, 1, "x"])),
        "groupBy": json_values,
    },
)


class OneUptimeHarness(Harness):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.ids |= self.run(oneuptime_support.ids_of(self.client, self.tenant, self.ids))
        paths = create_app(ctx=self.ctx).openapi()["paths"]
        self.operations = [
            (method.upper(), re.sub(r"\{(\w+)\}", lambda m: self.ids[m.group(1)], path))
            for path, ops in paths.items()
            if path.startswith(oneuptime_support.PREFIXES)
            for method in ops
        ]


@pytest.fixture
def harness(sqlite_template: Path, tmp_path: Path) -> Iterator[OneUptimeHarness]:
    h = OneUptimeHarness(databases.sqlite_copy(sqlite_template, tmp_path))
    yield h
    h.close()


def check(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body: Any = response.json()
        assert isinstance(body, dict)
        assert len(body) == 1, body
        assert isinstance(body.get("error", body.get("message")), str), body


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_requests_never_produce_a_500(
    harness: OneUptimeHarness, data: st.DataObject
) -> None:
    method, path = data.draw(st.sampled_from(harness.operations))
    body = data.draw(requests | json_values)
    params = data.draw(
        st.dictionaries(
            st.sampled_from(["skip", "limit"]), st.text(max_size=5) | st.integers().map(str)
        )
    )
    headers = oneuptime_support.headers(harness.tenant.key)
    response = harness.run(
        harness.client.request(method, path, json=body, params=params, headers=headers)
    )
    check(response)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=200))
def test_random_bytes_never_produce_a_500(harness: OneUptimeHarness, raw: bytes) -> None:
    headers = oneuptime_support.headers(harness.tenant.key)
    for path in (oneuptime_support.POLICIES, f"{oneuptime_support.RULES}/get-list"):
        check(harness.run(harness.client.post(path, content=raw, headers=headers)))
