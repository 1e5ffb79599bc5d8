"""The schedule properties hold through storage, on both databases.

Random schedules around the 2026 DST changes of three zones are written through the API, read
back, and asked "who is on call at t" through the API: the answer agrees with the rendered
shifts (also from the API) at every shift boundary, just before it, and at random instants,
and storage loses nothing (the rendered timeline equals the pure engine's for the same input).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callroute.app import create_app
from callroute.app_context import AppContext
from callroute.config import Settings
from callroute.db.session import Database
from callroute.engine.schedule import compile_schedule
from callroute.schedules.schemas import LayerIn
from callroute.schedules.service import layer_spec_of
from tests.conftest import TEST_SECRET_KEY, make_tenant

ZONES = {
    "America/New_York": datetime(2026, 3, 8, 7, tzinfo=UTC),
    "Europe/London": datetime(2026, 10, 25, 1, tzinfo=UTC),
    "Australia/Sydney": datetime(2026, 4, 4, 16, tzinfo=UTC),
}
WALL_TIMES = [time(1, 30), time(2, 0), time(2, 30), time(9, 0), time(23, 0)]
MICRO = timedelta(microseconds=1)


class Api:
    def __init__(self, url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.db = Database(url)
        ctx = AppContext(
            settings=Settings(
                database_url=url, secret_key=TEST_SECRET_KEY, rate_limit_per_minute=0
            ),
            db=self.db,
        )
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(ctx=ctx)), base_url="http://t"
        )
        tenant = self.run(make_tenant(ctx, "Props"))
        self.headers = tenant.headers
        self.members = [
            self.call("POST", "/api/v1/members", json={"name": f"M{i}"})["id"] for i in range(4)
        ]

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.run(self.client.request(method, path, headers=self.headers, **kwargs))
        assert response.status_code < 300, response.text
        return response.json()

    def close(self) -> None:
        self.run(self.client.aclose())
        self.run(self.db.dispose())
        self.loop.close()


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    harness = Api(db_url)
    yield harness
    harness.close()


@st.composite
def layers(draw: st.DrawFn, pivot: datetime, members: int) -> dict[str, Any]:
    unit = draw(st.sampled_from(["hours", "days", "weeks"]))
    length = draw(st.integers(1, 36 if unit == "hours" else 3))
    start = pivot + timedelta(minutes=draw(st.integers(-20 * 1440, 2 * 1440)))
    layer: dict[str, Any] = {
        "start": start.isoformat(),
        "rotation_length": length,
        "rotation_unit": unit,
        "member_ids": draw(st.lists(st.integers(0, members - 1), min_size=1, max_size=4)),
    }
    if unit != "hours":
        layer["handoff_time"] = draw(st.sampled_from(WALL_TIMES)).isoformat(timespec="minutes")
    if draw(st.booleans()):
        layer["restrictions"] = [
            {
                "kind": "daily",
                "start_time": draw(st.sampled_from(WALL_TIMES)).isoformat(timespec="minutes"),
                "duration_minutes": draw(st.integers(30, 1440)),
            }
        ]
    return layer


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    zone = draw(st.sampled_from(sorted(ZONES)))
    pivot = ZONES[zone]
    drawn = draw(st.lists(layers(pivot, 4), min_size=1, max_size=3))
    overrides = draw(
        st.lists(
            st.tuples(st.integers(0, 3), st.integers(-3 * 1440, 3 * 1440), st.integers(10, 720)),
            max_size=3,
        )
    )
    return {"zone": zone, "pivot": pivot, "layers": drawn, "overrides": overrides}


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios(), probes=st.lists(st.integers(-4 * 86400, 4 * 86400), max_size=6))
def test_on_call_agrees_with_shifts_through_storage(
    api: Api, scenario: dict[str, Any], probes: list[int]
) -> None:
    layer_bodies = [
        {**layer, "member_ids": [api.members[i] for i in layer["member_ids"]]}
        for layer in scenario["layers"]
    ]
    schedule = api.call(
        "POST",
        "/api/v1/schedules",
        json={
            "name": f"S{datetime.now(UTC).timestamp()}",
            "time_zone": scenario["zone"],
            "layers": layer_bodies,
        },
    )
    sid = schedule["id"]
    pivot: datetime = scenario["pivot"]
    for member, offset, minutes in scenario["overrides"]:
        start = pivot + timedelta(minutes=offset)
        api.call(
            "POST",
            f"/api/v1/schedules/{sid}/overrides",
            json={
                "member_id": api.members[member],
                "start": start.isoformat(),
                "end": (start + timedelta(minutes=minutes)).isoformat(),
            },
        )
    lo, hi = pivot - timedelta(days=4), pivot + timedelta(days=4)
    shifts = api.call(
        "GET",
        f"/api/v1/schedules/{sid}/shifts",
        params={"from": lo.isoformat(), "to": hi.isoformat()},
    )["shifts"]
    timeline = [
        (datetime.fromisoformat(s["start"]), datetime.fromisoformat(s["end"]), s["member"]["id"])
        for s in shifts
    ]

    # Storage is lossless: the pure engine on the request's own layers renders the same
    # timeline (overrides aside, which the engine gets from storage).
    if not scenario["overrides"]:
        spec_layers = tuple(layer_spec_of(LayerIn.model_validate(b)) for b in layer_bodies)
        from callroute.engine.schedule import ScheduleSpec

        pure = compile_schedule(ScheduleSpec(scenario["zone"], spec_layers)).render(lo, hi)
        assert [(s.start, s.end, str(s.member_id)) for s in pure] == timeline

    def expected(at: datetime) -> str | None:
        return next((m for start, end, m in timeline if start <= at < end), None)

    instants = [pivot + timedelta(seconds=p) for p in probes]
    for start, end, _member in timeline[:8]:
        instants += [start, start - MICRO, end - MICRO]
    for at in instants:
        if not lo <= at < hi:
            continue
        answer = api.call("GET", f"/api/v1/schedules/{sid}/on-call", params={"at": at.isoformat()})
        got = answer["member"]["id"] if answer["member"] else None
        assert got == expected(at), at
