"""Twilio cases that broke real calls before: a long document moved in over REST, the bridged
responder hanging up in hold mode, Twilio's attribute ranges, and Twilio refusing a document.
Webhooks are signed with the official algorithm; REST is answered at the transport by a fake
that enforces Twilio's 4,000-character limit on inline TwiML."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from callroute.app_context import AppContext
from callroute.clock import FrozenClock
from callroute.config import Settings
from callroute.timers.runner import Runner
from tests import callsetup, factories
from tests.conftest import TEST_SECRET_KEY, Tenant
from tests.twilio.cloud import MAX_TWIML, PUBLIC_URL, Phone, TwilioCloud, shape, sid, twiml_of
from tests.twilio.conftest import twilio_line
from tests.twilio.test_calls import caller_updates, find, record, run_due, sid_of

# 60 characters, as a deployment behind a long host name has: every callback URL in a
# document carries it, so ten numbers with their whisper and status URLs pass 4,000.
LONG_PUBLIC_URL = "https://hotline-callroute.eu-west-1.operations.example.com:443"[:60]
assert len(LONG_PUBLIC_URL) == 60


def voice_url(base: str) -> str:
    return f"{base}/webhooks/twilio/voice"


async def call_in(phone: Phone, base: str) -> Any:
    return twiml_of(await phone.post(voice_url(base), phone.base(CallStatus="ringing")))


class TestALongDocument:
    @pytest.fixture
    def settings(self, db_url: str) -> Settings:
        return Settings(
            database_url=db_url,
            secret_key=TEST_SECRET_KEY,
            rate_limit_per_minute=0,
            public_url=LONG_PUBLIC_URL,
            provider_retry_backoff_seconds=0,
            provider_retry_max_backoff_seconds=0,
        )

    async def test_ten_numbers_moved_in_after_a_ring_timeout_are_all_dialled(
        self, client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
    ) -> None:
        crew = [
            await factories.member(client, tenant, f"Crew {i}", f"+1415555020{i}")
            for i in range(10)
        ]
        levels = [
            {"ring_timeout_seconds": 20, "targets": [{"type": "member", "id": "{Ann}"}]},
            {
                "strategy": "simultaneous",
                "ring_timeout_seconds": 30,
                "targets": [{"type": "member", "id": m["id"]} for m in crew],
            },
        ]
        line = await twilio_line(client, tenant, levels=levels)
        phone = line.phone(client)
        first = await call_in(phone, LONG_PUBLIC_URL)
        assert [n.text for n in first.iter("Number")] == ["+14155550101"]  # Ann
        await run_due(ctx)
        await run_due(ctx, 20)  # Ann's ring timeout: level 2 is moved in over REST

        [update] = cloud.made(rf"/Calls/{phone.call_sid}\.json", ok=True)
        assert update.one("Twiml") is None  # too long to send inline...
        url = update.one("Url") or ""
        assert url.startswith(f"{LONG_PUBLIC_URL}/webhooks/twilio/document?")
        assert update.one("Method") == "POST"
        # ...so Twilio fetches it from callroute, signed like every webhook.
        fetched = await phone.post(url, phone.base(CallStatus="in-progress"))
        assert len(fetched.text) > MAX_TWIML
        document = twiml_of(fetched)
        assert sorted(n.text or "" for n in document.iter("Number")) == sorted(
            m["phones"][0]["number"] for m in crew
        )
        dial = find(document, "Dial")
        assert parse_qs(urlsplit(dial.get("action", "")).query)["d"] == ["2"]

        state = await record(client, tenant)
        statuses = {leg["member_name"]: leg["status"] for leg in state["legs"]}
        assert statuses.pop("Ann") == "no_answer"
        assert statuses == {m["name"]: "dialing" for m in crew}  # rung, not given up on

        forged = await phone.post(url, phone.base(), signature="not-a-signature")
        assert forged.status_code == 403
        stale = twiml_of(await phone.post(url.replace("d=2", "d=1"), phone.base()))
        assert shape(stale) == ["Enqueue"]  # an old document's URL moves nobody


async def test_the_bridged_responder_hanging_up_ends_the_call_in_hold_mode(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
) -> None:
    music = "https://music.example.com/wait.mp3"
    line = await twilio_line(client, tenant, ringing={"mode": "hold", "hold_music_url": music})
    phone = line.phone(client)
    enqueue = find(await phone.call(), "Enqueue")
    await run_due(ctx)
    [created] = cloud.made(r"/Calls\.json$")
    ann = Phone(client, sid_of(cloud, "+14155550101"), line.number, "+14155550101")
    whisper = twiml_of(await ann.post(created.one("Url") or "", ann.base()))
    joined = twiml_of(
        await ann.post(find(whisper, "Gather").get("action", ""), ann.base(Digits="1"))
    )
    assert shape(joined) == ["Dial[Queue]"]
    assert (await record(client, tenant))["status"] == "answered"

    # Ann hangs up after talking: Twilio asks the caller's <Enqueue> what next, once.
    ended = phone.base(CallStatus="in-progress", QueueResult="bridged", QueueTime="42")
    answer = twiml_of(await phone.post(enqueue.get("action", ""), ended))
    assert shape(answer) == ["Hangup"]  # not another <Enqueue>
    state = await record(client, tenant)
    assert state["status"] == "completed"
    assert [(leg["member_name"], leg["status"]) for leg in state["legs"]] == [("Ann", "completed")]
    again = twiml_of(await phone.post(enqueue.get("action", ""), ended))  # a retry
    assert shape(again) == ["Hangup"]


async def test_a_caller_waiting_again_in_hold_mode_hears_the_routers_music(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
) -> None:
    music = "https://music.example.com/wait.mp3"
    line = await twilio_line(client, tenant, ringing={"mode": "hold", "hold_music_url": music})
    phone = line.phone(client)
    enqueue = find(await phone.call(), "Enqueue")
    left = phone.base(CallStatus="in-progress", QueueResult="redirected")
    back = find(twiml_of(await phone.post(enqueue.get("action", ""), left)), "Enqueue")
    assert back.get("waitUrl") == music


async def test_a_twilio_queue_error_ends_the_call_instead_of_queueing_it_again(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
) -> None:
    line = await twilio_line(client, tenant, ringing={"mode": "hold"})
    phone = line.phone(client)
    enqueue = find(await phone.call(), "Enqueue")
    failed = phone.base(CallStatus="in-progress", QueueResult="system-error")
    answer = twiml_of(await phone.post(enqueue.get("action", ""), failed))
    assert shape(answer) == ["Hangup"]
    state = await record(client, tenant)
    assert state["status"] == "failed"


async def test_a_ring_timeout_of_600_seconds_gives_a_valid_dial(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
) -> None:
    levels = [{"ring_timeout_seconds": 600, "targets": [{"type": "member", "id": "{Ann}"}]}]
    line = await twilio_line(client, tenant, levels=levels)
    dial = find(await line.phone(client).call(), "Dial")
    assert 5 <= int(dial.get("timeout", "0")) <= 600  # Twilio's range for <Dial timeout>
    created = await a_hold_line_rings_for_600_seconds(client, tenant, ctx, cloud)
    assert 5 <= int(created.one("Timeout") or "0") <= 600


async def a_hold_line_rings_for_600_seconds(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
) -> Any:
    """A second router, in hold mode with a 600 s ring timeout: the REST call it makes."""
    member = await factories.member(client, tenant, "Dana", "+14155550109")
    policy = await factories.post(
        client,
        tenant,
        "escalation-policies",
        {
            "name": "Long hold",
            "levels": [
                {"ring_timeout_seconds": 600, "targets": [{"type": "member", "id": member["id"]}]}
            ],
        },
    )
    connection = (await client.get("/api/v1/connections", headers=tenant.headers)).json()
    number = await factories.post(
        client,
        tenant,
        "numbers",
        {"connection_id": connection["data"][0]["id"], "number": "+12015550124"},
    )
    await factories.post(
        client,
        tenant,
        "routers",
        {
            "name": "Hold",
            "phone_number_ids": [number["id"]],
            "ringing": {"mode": "hold"},
            "action": {"type": "ring", "target": {"type": "escalation_policy", "id": policy["id"]}},
        },
    )
    await Phone(client, sid("CA"), "+442071838751", number["number"]).call()
    await run_due(ctx)
    [created] = [r for r in cloud.made(r"/Calls\.json$") if r.one("To") == "+14155550109"]
    return created


async def test_a_document_twilio_refuses_is_on_the_timeline_and_its_legs_failed(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
) -> None:
    line = await twilio_line(client, tenant)
    phone = line.phone(client)
    await phone.call()
    await run_due(ctx)
    cloud.refusals[rf"/Calls/{phone.call_sid}\.json"] = [(400, 21218, "Invalid ApplicationSid")]
    await run_due(ctx, 20)  # Ann's ring timeout: Twilio refuses the document that dials Bob
    state = await record(client, tenant)
    entries = await callsetup.timeline(client, tenant, state["id"])
    [refused] = [e for e in entries if e["kind"] == "provider_rejected"]
    assert refused["detail"]["code"] == "21218"
    statuses = [(leg["member_name"], leg["status"]) for leg in state["legs"]]
    assert statuses[:2] == [("Ann", "no_answer"), ("Bob", "failed")]  # Bob was never rung
    [error] = [e for e in entries if e["kind"] == "leg_error"]
    assert "21218" in error["detail"]["message"]
    moved = caller_updates(cloud, phone)  # the engine went on to level 2: Chris
    assert [n.text for n in moved[-1].iter("Number")] == ["+14155550103"]
    # The refusal is counted by its code; the request that moved the caller on, as a success.
    metrics = ctx.metrics
    assert metrics.provider_errors.labels("twilio", "21218")._value.get() == 1
    requests = {
        (sample.labels["operation"], sample.labels["result"]): sample.value
        for family in metrics.provider_requests.collect()
        for sample in family.samples
        if sample.name.endswith("_total")
    }
    assert sum(v for (_, result), v in requests.items() if result == "error") == 1
    assert sum(v for (_, result), v in requests.items() if result == "ok") >= 1


async def test_a_caller_who_is_gone_when_moved_ends_the_call(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
) -> None:
    line = await twilio_line(client, tenant)
    phone = line.phone(client)
    dial = find(await phone.call(), "Dial")
    await run_due(ctx)
    cloud.calls[phone.call_sid] = {"sid": phone.call_sid, "status": "completed"}  # hung up
    await run_due(ctx, 20)
    state = await record(client, tenant)
    assert state["status"] == "missed"
    entries = await callsetup.timeline(client, tenant, state["id"])
    assert [e["detail"]["code"] for e in entries if e["kind"] == "caller_gone"] == ["21220"]
    # The status callback that says so too, late, has no second effect.
    await phone.post(
        f"{phone_base(dial)}/webhooks/twilio/status", phone.base(CallStatus="completed")
    )
    assert (await record(client, tenant))["status"] == "missed"


def phone_base(dial: Any) -> str:
    parts = urlsplit(dial.get("action", ""))
    return f"{parts.scheme}://{parts.netloc}"


async def test_a_leg_created_after_the_caller_left_is_hung_up_and_no_lock_waits_on_twilio(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
) -> None:
    """A leg Twilio creates after the call moved on (the caller hung up meanwhile) is ended
    as soon as its creation is known: nobody is left ringing for a call that is over."""
    line = await twilio_line(client, tenant, ringing={"mode": "hold"})
    phone = line.phone(client)
    enqueue = find(await phone.call(), "Enqueue")
    held = cloud.hold(r"/Calls\.json$")
    dispatch = asyncio.create_task(run_due(ctx))
    await asyncio.wait_for(held.started.wait(), 10)  # creating Ann's call: the request is out
    # No lock is held while Twilio answers: the caller's webhook goes through meanwhile.
    bye = await asyncio.wait_for(
        phone.post(enqueue.get("action", ""), phone.base(QueueResult="hangup")), 10
    )
    assert shape(twiml_of(bye)) == ["Hangup"]
    held.release.set()
    await asyncio.wait_for(dispatch, 10)
    await run_due(ctx)
    ann_sid = sid_of(cloud, "+14155550101")
    assert [r.one("Status") for r in cloud.made(rf"/Calls/{ann_sid}\.json")] == ["completed"]
    assert (await record(client, tenant))["status"] == "missed"


@pytest.mark.parametrize("db_kind", ["sqlite"], indirect=True)
async def test_a_slow_twilio_never_keeps_a_new_caller_waiting_on_sqlite(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
) -> None:
    """SQLite has one write lock for the whole database. While a hold level's responders are
    called over REST (Twilio answering in 3 s each), no transaction is open: a new caller's
    first document and call record do not wait for Twilio."""
    crew = [
        await factories.member(client, tenant, f"Crew {i}", f"+1415555040{i}") for i in range(10)
    ]
    levels = [
        {
            "strategy": "simultaneous",
            "ring_timeout_seconds": 30,
            "targets": [{"type": "member", "id": m["id"]} for m in crew],
        }
    ]
    line = await twilio_line(client, tenant, levels=levels, ringing={"mode": "hold"})
    await line.phone(client).call()
    cloud.slow[r"/Calls\.json$"] = 3.0
    dispatch = asyncio.create_task(run_due(ctx))
    await asyncio.wait_for(cloud.slowed.wait(), 10)  # the responders' calls are being made

    started = time.monotonic()
    newcomer = Phone(client, sid("CA"), "+442071838799", line.number)
    document = await newcomer.call()
    elapsed = time.monotonic() - started
    assert shape(document) == ["Say", "Enqueue"]
    assert elapsed < 1.0, f"the new caller waited {elapsed:.2f} s"  # it waited 5 s before
    calls = (await client.get("/api/v1/calls", headers=tenant.headers)).json()["data"]
    assert {c["from"] for c in calls} == {"+442071838750", "+442071838799"}
    assert not dispatch.done()  # Twilio was still answering all along
    await dispatch


async def test_a_newer_document_handed_out_while_a_push_is_out_is_sent_after_it(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
) -> None:
    """One push at a time per caller: a step that happens while the caller is being moved
    waits for that move, then its document follows, so the caller always ends up on the
    newest document whatever order Twilio receives updates in."""
    line = await twilio_line(client, tenant)
    phone = line.phone(client)
    await phone.call()
    await run_due(ctx)
    held = cloud.hold(rf"/Calls/{phone.call_sid}\.json")
    assert isinstance(ctx.clock, FrozenClock)
    ctx.clock.advance(timedelta(seconds=20))  # Ann's ring timeout: the caller is moved to Bob
    moving = asyncio.create_task(run_due(ctx))
    await asyncio.wait_for(held.started.wait(), 10)
    bob = await callsetup.call(client, tenant, (await record(client, tenant))["id"])
    bob_leg = next(leg for leg in bob["legs"] if leg["member_name"] == "Bob")
    # While that move is out, Bob's phone is busy: the engine goes on to level 2 (Chris).
    busy = Phone(client, sid("CA"), line.number, "+14155550102")
    leg_url = f"{PUBLIC_URL}/webhooks/twilio/leg?call={bob['id']}&leg={bob_leg['leg_id']}"
    await busy.post(leg_url, busy.base(CallStatus="busy"))
    await Runner(ctx, worker_id="second").tick()  # Chris's document waits for the first move
    assert len(cloud.made(rf"/Calls/{phone.call_sid}\.json")) == 0
    held.release.set()
    await asyncio.wait_for(moving, 10)
    moves = caller_updates(cloud, phone)
    assert [[n.text for n in move.iter("Number")] for move in moves] == [
        ["+14155550102"],  # Bob, as planned
        ["+14155550103"],  # then Chris, the newest, once Bob's move had landed
    ]
