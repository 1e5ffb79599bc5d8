"""Each outcome of a call moves exactly the call-level metrics it should, as scraped from
/metrics, on both databases (simulator calls, run to their end by the timer runner)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from callroute.app_context import AppContext
from tests import callsetup
from tests.conftest import Tenant

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def of_router(samples: Samples, router: str) -> dict[str, float]:
    """The call metrics of one router: ``name{outcome}`` -> value (histograms by count)."""
    found: dict[str, float] = {}
    for (name, labels), value in samples.items():
        tags = dict(labels)
        if tags.get("router") != router or name.endswith(("_bucket", "_sum", "_created")):
            continue
        if name == "callroute_router_responders_on_call":  # not a call's: read at scrape time
            continue
        key = name + (f"{{{tags['outcome']}}}" if "outcome" in tags else "")
        found[key] = value
    return found


def legs(samples: Samples) -> dict[str, float]:
    return {
        dict(labels)["outcome"]: value
        for (name, labels), value in samples.items()
        if name == "callroute_legs_ended_total" and value
    }


async def run_call(
    client: httpx.AsyncClient,
    tenant: Tenant,
    ctx: AppContext,
    *,
    router: dict[str, Any] | None = None,
    patch: dict[str, Any] | None = None,
    **script: Any,
) -> tuple[str, Samples, dict[str, Any]]:
    line = await callsetup.routed_line(client, tenant, router=router)
    if patch:
        response = await client.patch(
            f"/api/v1/routers/{line.router['id']}", json=patch, headers=tenant.headers
        )
        assert response.status_code == 200, response.text
    placed = await callsetup.place(client, tenant, line, **script)
    await callsetup.settle(ctx)
    record = await callsetup.call(client, tenant, placed["id"])
    return line.router["id"], await scrape(client), record


async def test_an_answered_call(client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext) -> None:
    router, samples, record = await run_call(
        client, tenant, ctx, phones={"Ann": "answer-after:4"}, hangup_after=30
    )
    assert record["status"] == "completed"
    assert of_router(samples, router) == {
        "callroute_calls_started_total": 1,
        "callroute_calls_ended_total{completed}": 1,
        "callroute_call_answer_seconds_count": 1,
        "callroute_call_first_ring_seconds_count": 1,
    }
    # Ann rang from the decision (after the greeting) in 0.5 s, the simulator's ringing delay.
    first_ring = samples[
        (
            "callroute_call_first_ring_seconds_sum",
            frozenset({("router", router), ("provider", "simulator")}),
        )
    ]
    assert first_ring == pytest.approx(0.5)
    assert legs(samples) == {"completed": 1}


async def test_nobody_answers_and_the_caller_leaves_a_voicemail(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    router, samples, record = await run_call(client, tenant, ctx, default="no-answer")
    assert record["status"] == "voicemail"
    assert of_router(samples, router) == {
        "callroute_calls_started_total": 1,
        "callroute_calls_ended_total{voicemail}": 1,
        "callroute_call_first_ring_seconds_count": 1,
    }
    assert legs(samples) == {"no_answer": 3}


async def test_nobody_answers_and_the_router_says_goodbye(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    router, samples, record = await run_call(
        client, tenant, ctx, patch={"fallback": "message"}, default="busy"
    )
    assert record["status"] == "missed"
    assert of_router(samples, router) == {
        "callroute_calls_started_total": 1,
        "callroute_calls_ended_total{missed}": 1,
        # no callroute_call_first_ring_seconds: a busy phone never rang
    }
    assert legs(samples) == {"busy": 3}


async def test_a_caller_who_hangs_up_while_phones_ring_is_counted_as_abandoned(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    router, samples, record = await run_call(
        client, tenant, ctx, default="no-answer", hangup_after=8
    )
    assert record["status"] == "missed"
    assert of_router(samples, router) == {
        "callroute_calls_started_total": 1,
        "callroute_calls_ended_total{missed}": 1,
        "callroute_callers_abandoned_total": 1,
        "callroute_call_first_ring_seconds_count": 1,
    }
    assert legs(samples) == {"canceled": 1}


async def test_a_blocked_caller_is_rejected(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    router, samples, record = await run_call(
        client, tenant, ctx, patch={"screening": {"blocklist": ["+442071838750"]}}
    )
    assert record["status"] == "rejected"
    assert of_router(samples, router) == {
        "callroute_calls_started_total": 1,
        "callroute_calls_ended_total{rejected}": 1,
    }
    assert legs(samples) == {}


async def test_a_call_to_a_disabled_router_fails_at_the_door(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    router, samples, record = await run_call(client, tenant, ctx, patch={"enabled": False})
    assert record["status"] == "failed"
    assert of_router(samples, router) == {
        "callroute_calls_started_total": 1,
        "callroute_calls_ended_total{failed}": 1,
    }


async def test_the_scrape_reads_the_backlog_and_who_is_on_call(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await callsetup.routed_line(client, tenant)
    await callsetup.place(client, tenant, line, default="no-answer")
    ctx.clock.advance(timedelta(seconds=7))  # type: ignore[attr-defined]  # tests' FrozenClock
    samples = await scrape(client)
    router = frozenset({("router", line.router["id"])})
    assert samples[("callroute_router_responders_on_call", router)] == 3  # Ann, Bob, Chris
    due = {
        dict(labels)["kind"]: value
        for (name, labels), value in samples.items()
        if name == "callroute_timers_due"
    }
    assert due
    assert all(count >= 1 for count in due.values())
    assert samples[("callroute_timers_oldest_due_seconds", frozenset())] >= 7

    await callsetup.settle(ctx)
    samples = await scrape(client)
    assert not any(name == "callroute_timers_due" for name, _ in samples)
    # Every connection the runner and the requests took went back to the pool.
    assert samples[("callroute_db_pool_connections_in_use", frozenset())] == 0
    assert samples[("callroute_timers_oldest_due_seconds", frozenset())] == 0

    await client.patch(
        f"/api/v1/routers/{line.router['id']}", json={"enabled": False}, headers=tenant.headers
    )
    samples = await scrape(client)
    assert ("callroute_router_responders_on_call", router) not in samples
