"""Calls routed by callroute itself, placed on the simulator, seen through the vcita API with
the status that matches what happened; and followed up from either side."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx

from callroute.app_context import AppContext
from callroute.clock import FrozenClock
from callroute.compat.vcita.translate import timestamp
from callroute.timers.runner import Runner
from tests import callsetup, factories
from tests.compat.test_vcita import BASE, EXAMPLE, JSON, assert_error, business, update_body
from tests.conftest import Tenant

ALL_STATUSES = (
    "INCOMING_CALL",
    "ANSWERED_BY_STAFF",
    "MISSED",
    "ANSWERED_BY_CALLS_PROVIDER",
    "MISSED_CALL_HANDLED",
    "VOICEMAIL",
    "VOICEMAIL_RECEIVED",
)


async def voice_call(client: httpx.AsyncClient, tenant: Tenant, uid: str) -> JSON:
    response = await client.get(f"{BASE}/{uid}", headers=tenant.headers)
    assert response.status_code == 200, response.text
    data: JSON = response.json()["data"]
    return data


async def listed(client: httpx.AsyncClient, tenant: Tenant, **params: Any) -> list[JSON]:
    response = await client.get(BASE, params={"per_page": 100, **params}, headers=tenant.headers)
    assert response.status_code == 200, response.text
    calls: list[JSON] = response.json()["data"]["voice_calls"]
    return calls


async def line_with(
    client: httpx.AsyncClient, tenant: Tenant, action: JSON, **router: Any
) -> callsetup.Line:
    """Another simulator number whose router runs ``action``."""
    name = f"{action['type']} {uuid.uuid4().hex[:6]}"
    connection = await factories.post(
        client, tenant, "connections", {"name": f"Sim {name}", "kind": "simulator"}
    )
    number = await factories.post(
        client, tenant, "numbers", {"connection_id": connection["id"], "country": "US"}
    )
    created = await factories.post(
        client,
        tenant,
        "routers",
        {
            "name": f"Line {name}",
            "phone_number_ids": [number["id"]],
            "action": action,
            **router,
        },
    )
    return callsetup.Line(number["number"], created, {}, {})


async def test_routed_calls_appear_with_the_status_of_what_happened(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    hotline = await callsetup.routed_line(client, tenant)
    ann, bob = hotline.members["Ann"], hotline.members["Bob"]

    answered = await callsetup.place(client, tenant, hotline, phones={"Bob": "answer"})
    await callsetup.settle(ctx)
    voicemail = await callsetup.place(client, tenant, hotline, default="no-answer")
    await callsetup.settle(ctx)
    no_voicemail = await line_with(
        client,
        tenant,
        {"type": "ring", "target": {"type": "member", "id": ann["id"]}},
        fallback="message",
    )
    missed = await callsetup.place(client, tenant, no_voicemail, default="no-answer")
    await callsetup.settle(ctx)
    forward = await line_with(client, tenant, {"type": "forward", "number": "+14155550177"})
    forwarded = await callsetup.place(client, tenant, forward)
    await callsetup.settle(ctx)
    message = await line_with(client, tenant, {"type": "message", "message": {"text": "Closed."}})
    played = await callsetup.place(client, tenant, message)
    await callsetup.settle(ctx)
    blocked_line = await line_with(
        client, tenant, {"type": "voicemail"}, screening={"blocklist": ["+442071838750"]}
    )
    blocked = await callsetup.place(client, tenant, blocked_line)
    await callsetup.settle(ctx)
    ringing = await callsetup.place(client, tenant, hotline, default="no-answer")  # not settled

    expected = {
        answered["id"]: "ANSWERED_BY_STAFF",
        voicemail["id"]: "VOICEMAIL",
        missed["id"]: "MISSED",
        forwarded["id"]: "ANSWERED_BY_CALLS_PROVIDER",
        played["id"]: "ANSWERED_BY_CALLS_PROVIDER",
        blocked["id"]: "ANSWERED_BY_CALLS_PROVIDER",
        ringing["id"]: "INCOMING_CALL",
    }
    natives = {uid: await callsetup.call(client, tenant, uid) for uid in expected}
    assert [natives[uid]["status"] for uid in expected] == [
        "completed",
        "voicemail",
        "missed",
        "completed",
        "completed",
        "rejected",
        "ringing_responders",
    ]
    calls = {call["uid"]: call for call in await listed(client, tenant)}
    assert {uid: call["status"] for uid, call in calls.items()} == expected

    staff = calls[answered["id"]]
    assert staff["staff_uid"] == bob["id"]
    assert staff["duration"] == natives[answered["id"]]["duration_seconds"] > 0
    assert staff["external_uuid"] == natives[answered["id"]]["provider_call_id"]
    assert staff["provider"] == "SIMULATOR"
    assert (staff["from_number"], staff["to_number"]) == ("+442071838750", hotline.number)
    assert staff["direction"] == "INBOUND"
    assert calls[ringing["id"]]["duration"] is None
    assert calls[missed["id"]]["staff_uid"] is None  # nobody took it

    left = calls[voicemail["id"]]
    recording = natives[voicemail["id"]]["recordings"][0]
    assert left["recording"] == {
        "uid": recording["id"],
        "recordingUrl": recording["url"],
        "size": None,
        "duration": recording["duration_seconds"],
        "recording_played": False,
        "recording_type": "VOICEMAIL",
    }
    assert left["transcript_status"] == "DONE"
    transcript = await client.get(f"{BASE}/{voicemail['id']}/transcript", headers=tenant.headers)
    assert transcript.status_code == 200, transcript.text
    assert transcript.json() == {
        "success": True,
        "data": {
            "transcript_uid": recording["id"],
            "status": "DONE",
            "transcript": [
                {"timestamp": 0.0, "speaker_role": "client", "text": recording["transcript"]}
            ],
        },
    }
    for uid in (answered["id"], missed["id"]):
        response = await client.get(f"{BASE}/{uid}/transcript", headers=tenant.headers)
        assert_error(response, 404, "NOT_FOUND", None)

    # filter[status] selects exactly the calls that read back with that status.
    for status in ALL_STATUSES:
        chosen = {c["uid"] for c in await listed(client, tenant, **{"filter[status]": status})}
        wanted = "VOICEMAIL" if status == "VOICEMAIL_RECEIVED" else status
        assert chosen == {uid for uid, s in expected.items() if s == wanted}, status
    both = await listed(client, tenant, **{"filter[status]": "MISSED,VOICEMAIL"})
    assert {c["uid"] for c in both} == {missed["id"], voicemail["id"]}


async def test_a_failed_call_is_missed_and_logged_calls_sit_beside_routed_ones(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    connection = await factories.post(
        client, tenant, "connections", {"name": "Sim", "kind": "simulator"}
    )
    unrouted = await factories.post(
        client, tenant, "numbers", {"connection_id": connection["id"], "country": "US"}
    )
    failed = await factories.post(
        client, tenant, "simulator/calls", {"to": unrouted["number"], "from": "+442071838750"}
    )
    assert (await callsetup.call(client, tenant, failed["id"]))["status"] == "failed"
    assert (await voice_call(client, tenant, failed["id"]))["status"] == "MISSED"
    logged = await client.post(
        "/api/v1/calls",
        json={
            "direction": "outbound",
            "from": "+14155550901",
            "to": "+14155550148",
            "status": "completed",
            "duration_seconds": 40,
        },
        headers=tenant.headers,
    )
    assert logged.status_code == 201
    call = await voice_call(client, tenant, logged.json()["id"])
    assert (call["direction"], call["status"], call["duration"]) == (
        "OUTBOUND",
        "ANSWERED_BY_CALLS_PROVIDER",
        40,
    )
    assert call["external_uuid"] is None
    assert call["provider"] == "EXTERNAL"
    assert {c["uid"] for c in await listed(client, tenant)} == {failed["id"], call["uid"]}


async def test_a_call_a_disabled_router_refuses_is_the_known_clients(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    """vcita's example call (+14155550148, a client of the business, to +14155550901), placed
    for real to a number whose router is disabled: refused, it is still the client's call."""
    biz = await business(client, tenant)  # the client calls from the example's from_number
    connection = await factories.post(
        client, tenant, "connections", {"name": "Sim", "kind": "simulator"}
    )
    number = await factories.post(
        client,
        tenant,
        "numbers",
        {"connection_id": connection["id"], "number": EXAMPLE["to_number"]},
    )
    await factories.post(
        client,
        tenant,
        "routers",
        {
            "name": "Front desk",
            "enabled": False,
            "phone_number_ids": [number["id"]],
            "action": {"type": "voicemail"},
        },
    )
    placed = await factories.post(
        client,
        tenant,
        "simulator/calls",
        {"to": EXAMPLE["to_number"], "from": EXAMPLE["from_number"]},
    )
    await callsetup.settle(ctx)
    native = await callsetup.call(client, tenant, placed["id"])
    assert (native["status"], native["reason"]) == ("failed", "the router is disabled")
    call = await voice_call(client, tenant, placed["id"])
    assert call["client_uid"] == biz.client["id"]
    assert (call["from_number"], call["to_number"]) == (
        EXAMPLE["from_number"],
        EXAMPLE["to_number"],
    )
    assert (call["direction"], call["status"], call["staff_uid"]) == ("INBOUND", "MISSED", None)


async def test_a_voicemail_waiting_for_its_transcript_says_so(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, clock: FrozenClock
) -> None:
    line = await line_with(client, tenant, {"type": "voicemail"})
    placed = await callsetup.place(client, tenant, line, message_seconds=10)
    runner = Runner(ctx, worker_id="test-runner")
    for _ in range(120):  # step virtual time until the recording is in, not the transcript
        await runner.drain(clock, until=clock.now() + timedelta(seconds=1))
        if (await callsetup.call(client, tenant, placed["id"]))["recordings"]:
            break
    call = await voice_call(client, tenant, placed["id"])
    assert call["status"] == "VOICEMAIL"
    assert call["transcript_status"] == "IN_PROGRESS"
    pending = await client.get(f"{BASE}/{placed['id']}/transcript", headers=tenant.headers)
    assert pending.json()["data"]["status"] == "IN_PROGRESS"
    assert pending.json()["data"]["transcript"] is None
    await callsetup.settle(ctx)
    assert (await voice_call(client, tenant, placed["id"]))["transcript_status"] == "DONE"

    untranscribed = await line_with(
        client, tenant, {"type": "voicemail"}, voicemail={"transcribe": False}
    )
    silent = await callsetup.place(client, tenant, untranscribed)
    await callsetup.settle(ctx)
    call = await voice_call(client, tenant, silent["id"])
    assert call["status"] == "VOICEMAIL"
    assert call["recording"] is not None
    assert call["transcript_status"] is None
    response = await client.get(f"{BASE}/{silent['id']}/transcript", headers=tenant.headers)
    assert_error(response, 404, "NOT_FOUND", None)


async def test_a_missed_routed_call_is_handled_through_vcita_and_seen_natively(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, clock: FrozenClock
) -> None:
    line = await callsetup.routed_line(client, tenant)
    placed = await callsetup.place(client, tenant, line, default="no-answer")
    await callsetup.settle(ctx)
    call = await voice_call(client, tenant, placed["id"])
    assert call["status"] == "VOICEMAIL"
    bob = line.members["Bob"]
    clock.advance(timedelta(hours=1))

    # A client echoes what it read, with its changes; the recording id is the call's own.
    body = update_body(
        call,
        status="MISSED_CALL_HANDLED",
        handled_by_staff_uid=bob["id"],
        call_summary="Called back, booked a visit",
        rate="0",
    )
    body["price"] = "0.00"
    response = await client.put(f"{BASE}/{placed['id']}", json=body, headers=tenant.headers)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["status"] == "MISSED_CALL_HANDLED"
    assert data["handled_by_staff_uid"] == bob["id"]
    assert data["handled_at"] == timestamp(clock.now())
    assert data["recording"] == call["recording"]
    native = await callsetup.call(client, tenant, placed["id"])
    assert native["status"] == "voicemail"  # what happened stays what happened
    assert native["handled_by"] == bob["id"]
    assert native["summary"] == "Called back, booked a visit"
    assert native["external"] is None  # the recording id named the call's own recording
    assert (native["rate"], native["price"]) == ("0", "0.00")
    assert native["handled_at"].startswith(clock.now().isoformat()[:19])

    # Back to VOICEMAIL (or VOICEMAIL_RECEIVED) reopens it.
    reopened = await client.put(
        f"{BASE}/{placed['id']}",
        json=update_body(data, status="VOICEMAIL_RECEIVED"),
        headers=tenant.headers,
    )
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["data"]["status"] == "VOICEMAIL"
    assert (await callsetup.call(client, tenant, placed["id"]))["handled_at"] is None


async def test_a_call_handled_natively_reads_as_handled_in_vcita(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await callsetup.routed_line(client, tenant)
    placed = await callsetup.place(client, tenant, line, default="no-answer")
    await callsetup.settle(ctx)
    ann = line.members["Ann"]
    response = await client.patch(
        f"/api/v1/calls/{placed['id']}",
        json={"handled": True, "handled_by": ann["id"], "summary": "Rang back"},
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    call = await voice_call(client, tenant, placed["id"])
    assert call["status"] == "MISSED_CALL_HANDLED"
    assert call["handled_by_staff_uid"] == ann["id"]
    assert call["call_summary"] == "Rang back"
    handled = await listed(client, tenant, **{"filter[handled_by_staff_uid]": ann["id"]})
    assert [c["uid"] for c in handled] == [placed["id"]]

    # An update that leaves the optional handler out keeps who handled it, and when.
    response = await client.put(
        f"{BASE}/{placed['id']}",
        json=update_body(call, call_summary="Rang back twice"),
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    after = response.json()["data"]
    assert (after["status"], after["handled_by_staff_uid"]) == ("MISSED_CALL_HANDLED", ann["id"])
    assert after["handled_at"] == call["handled_at"]
    assert after["call_summary"] == "Rang back twice"


async def test_a_routed_calls_record_cannot_be_rewritten_through_vcita(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await callsetup.routed_line(client, tenant)
    answered = await callsetup.place(client, tenant, line, phones={"Ann": "answer"})
    await callsetup.settle(ctx)
    call = await voice_call(client, tenant, answered["id"])
    before = await callsetup.call(client, tenant, answered["id"])
    cases: list[tuple[JSON, str, str]] = [
        ({"status": "MISSED"}, "INVALID_STATUS_CHANGE", "status"),
        ({"status": "MISSED_CALL_HANDLED"}, "INVALID_STATUS_CHANGE", "status"),
        ({"status": "ANSWERED_BY_CALLS_PROVIDER"}, "INVALID_STATUS_CHANGE", "status"),
        ({"from_number": "+14155550111"}, "READ_ONLY_FIELD", "from_number"),
        ({"to_number": "+14155550111"}, "READ_ONLY_FIELD", "to_number"),
        ({"direction": "OUTBOUND"}, "READ_ONLY_FIELD", "direction"),
        ({"duration": 1}, "READ_ONLY_FIELD", "duration"),
        ({"external_uuid": "ext-other"}, "READ_ONLY_FIELD", "external_uuid"),
    ]
    for changes, code, field in cases:
        response = await client.put(
            f"{BASE}/{answered['id']}", json=update_body(call, **changes), headers=tenant.headers
        )
        assert_error(response, 422, code, field)
    assert await callsetup.call(client, tenant, answered["id"]) == before

    # Repeating the record with follow-up changes is fine.
    response = await client.put(
        f"{BASE}/{answered['id']}",
        json=update_body(
            call,
            call_summary="Sorted",
            external_app_name="CRM",
            external_app_url="https://crm.example.com/calls/7",
        ),
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["status"] == "ANSWERED_BY_STAFF"
    after = await callsetup.call(client, tenant, answered["id"])
    assert after["summary"] == "Sorted"
    assert after["external"]["app_url"] == "https://crm.example.com/calls/7"
    assert (after["status"], after["answered_by"]) == (before["status"], before["answered_by"])

    # An ongoing call may be echoed with duration 0 or null.
    ringing = await callsetup.place(client, tenant, line, default="no-answer")
    ongoing = await voice_call(client, tenant, ringing["id"])
    for duration in (None, 0):
        response = await client.put(
            f"{BASE}/{ringing['id']}",
            json=update_body(ongoing, duration=duration),
            headers=tenant.headers,
        )
        assert response.status_code == 200, response.text


async def test_the_stats_report_counts_routed_and_logged_calls_per_status(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, clock: FrozenClock
) -> None:
    line = await callsetup.routed_line(client, tenant)
    await callsetup.place(client, tenant, line, phones={"Ann": "answer"})
    await callsetup.settle(ctx)
    await callsetup.place(client, tenant, line, default="no-answer")
    await callsetup.settle(ctx)
    clock.advance(timedelta(days=1))  # 2026-03-03
    logged = {"direction": "inbound", "from": "+14155550148", "to": "+14155550901"}
    for status in ("missed", "missed", "ringing"):
        response = await client.post(
            "/api/v1/calls", json={**logged, "status": status}, headers=tenant.headers
        )
        assert response.status_code == 201

    url = f"{BASE}/reports/voice_call_stats"
    response = await client.get(url, headers=tenant.headers)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "success": True,
        "data": {
            "status_counts": [
                {"status": "INCOMING_CALL", "count": 1},
                {"status": "ANSWERED_BY_STAFF", "count": 1},
                {"status": "MISSED", "count": 2},
                {"status": "ANSWERED_BY_CALLS_PROVIDER", "count": 0},
                {"status": "MISSED_CALL_HANDLED", "count": 0},
                {"status": "VOICEMAIL", "count": 1},
            ],
            "total_voice_calls": 5,
            "start_date": None,
            "end_date": None,
        },
    }
    first_day = {"start_date": "2026-03-02", "end_date": "2026-03-02"}
    data = (await client.get(url, params=first_day, headers=tenant.headers)).json()["data"]
    assert data["total_voice_calls"] == 2
    assert (data["start_date"], data["end_date"]) == ("2026-03-02", "2026-03-02")
    only = {"start_date": "2026-03-03", "status": "MISSED,VOICEMAIL_RECEIVED"}
    data = (await client.get(url, params=only, headers=tenant.headers)).json()["data"]
    assert data["status_counts"] == [
        {"status": "MISSED", "count": 2},
        {"status": "VOICEMAIL", "count": 0},
    ]
    assert data["total_voice_calls"] == 2

    refused: list[tuple[dict[str, str], str, str]] = [
        ({"start_date": "2026-3-2"}, "start_date", "INVALID_FORMAT"),
        ({"end_date": "2026-03-02T00:00:00Z"}, "end_date", "INVALID_FORMAT"),
        ({"start_date": "2026-03-03", "end_date": "2026-03-02"}, "end_date", "INVALID_FORMAT"),
        ({"status": "missed"}, "status", "INVALID_ENUM_VALUE"),
        ({"from": "2026-03-02"}, "from", "UNKNOWN_PARAMETER"),
    ]
    for params, field, code in refused:
        response = await client.get(url, params=params, headers=tenant.headers)
        assert_error(response, 400, code, field)
