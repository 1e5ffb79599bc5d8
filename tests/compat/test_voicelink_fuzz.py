"""Arbitrary input to the VoiceLink routes never produces a 500, and every answer is in
VoiceLink's envelope: ``success: true`` with data, or ``success: false`` with a coded error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests import databases
from tests.api.test_fuzz import Harness, json_values
from tests.compat import voicelink_setup as vl

FIELDS = [
    "did_id",
    "did_number",
    "for_inbound_call",
    "for_outbound_call",
    "inbound_websocket_bot_id",
    "inbound_sip_trunk_id",
    "outbound_websocket_bot_id",
    "outbound_sip_trunk_id",
    "status",
    "connection_id",
    "connectionId",
    "mobile_number",
]
numbers = st.integers(min_value=-3, max_value=5) | st.sampled_from([812, 93, 2**31, 2**63])
values = numbers | st.booleans() | st.none() | json_values
# Close to valid: the example with some fields changed, dropped or added.
near_valid = st.builds(
    lambda changes, dropped: {
        k: v for k, v in {**vl.example_request(), **changes}.items() if k not in dropped
    },
    st.dictionaries(st.sampled_from(FIELDS), values, max_size=4),
    st.sets(st.sampled_from(FIELDS), max_size=3),
)
bodies = (
    near_valid | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), values) | values
)
paths = st.sampled_from([vl.URL, f"{vl.URL}/1", f"{vl.URL}/0", f"{vl.URL}/abc"])


@pytest.fixture
def harness(sqlite_template: Path, tmp_path: Path) -> Iterator[Harness]:
    h = Harness(databases.sqlite_copy(sqlite_template, tmp_path))
    h.run(vl.partner(h.client, h.ctx, h.tenant))
    yield h
    h.close()


def check(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    body: Any = response.json()
    if response.status_code == 200:
        assert body["success"] is True
        assert isinstance(body["data"], dict)
    else:
        assert body["success"] is False
        assert isinstance(body["error"]["code"], str)
        assert isinstance(body["error"]["message"], str)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=paths, body=bodies, read=st.booleans())
# Random input mostly stops at validation; these always reach the deeper answers too: a
# success, an unknown id, a conflict, a replace of a native router, a read.
@example(path=vl.URL, body=vl.example_request(), read=False)
@example(path=vl.URL, body={**vl.example_request(), "did_id": 999_999}, read=False)
@example(path=vl.URL, body=vl.example_request(), read=False)
@example(
    path=f"{vl.URL}/1",
    body={**vl.example_request(), "did_id": 813, "mobile_number": vl.MOBILE},
    read=False,
)
@example(path=f"{vl.URL}/1", body=None, read=True)
def test_random_requests_never_produce_a_500(
    harness: Harness, path: str, body: Any, read: bool
) -> None:
    headers = harness.tenant.headers
    if read and path != vl.URL:
        response = harness.run(harness.client.get(path, headers=headers))
    else:
        response = harness.run(harness.client.post(path, json=body, headers=headers))
    check(response)
