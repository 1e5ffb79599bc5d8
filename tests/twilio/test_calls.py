"""Calls through Twilio, as Twilio would drive them: realistic webhook sequences, each signed
with the official algorithm, and every REST request callroute makes answered at the transport.
Each TwiML answer is parsed as XML and its structure checked."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.etree.ElementTree import Element

import httpx

from callroute.app_context import AppContext
from callroute.clock import FrozenClock
from callroute.timers.runner import Runner
from tests import callsetup
from tests.conftest import Tenant
from tests.twilio.cloud import (
    ACCOUNT_SID,
    OTHER_TOKEN,
    PUBLIC_URL,
    Phone,
    TwilioCloud,
    shape,
    sid,
    sign,
    twiml_of,
)
from tests.twilio.conftest import CALLER, twilio_line


def find(root: Element, path: str) -> Element:
    found = root.find(path)
    assert found is not None, f"no {path} in {shape(root)}"
    return found


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


async def record(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, Any]:
    calls = (await client.get("/api/v1/calls", headers=tenant.headers)).json()["data"]
    assert len(calls) == 1
    return await callsetup.call(client, tenant, calls[0]["id"])


async def test_a_responder_who_presses_1_is_bridged(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
) -> None:
    line = await twilio_line(client, tenant)
    phone = line.phone(client)
    doc = await phone.call()
    assert shape(doc) == ["Say", "Dial[Number]"]
    assert find(doc, "Say").text == "Welcome."
    dial = find(doc, "Dial")
    assert dial.get("callerId") == CALLER
    assert dial.get("answerOnBridge") == "true"
    number = find(dial, "Number")
    assert number.text == "+14155550101"  # Ann first
    assert number.get("statusCallbackEvent") == "initiated ringing answered completed"
    assert query(number.get("url", ""))["leg"] == query(number.get("statusCallback", ""))["leg"]

    # Ann's phone picks up: Twilio fetches the whisper on her leg.
    ann = Phone(client, sid("CA"), line.number, "+14155550101")
    whisper = twiml_of(
        await ann.post(number.get("url", ""), ann.base(ParentCallSid=phone.call_sid))
    )
    assert shape(whisper) == ["Gather[Say]"]
    gather = find(whisper, "Gather")
    assert gather.get("numDigits") == "1"
    assert find(gather, "Say").text == "You have an incoming call. Press 1 to accept."

    accepted = twiml_of(await ann.post(gather.get("action", ""), ann.base(Digits="1")))
    assert shape(accepted) == []  # an empty answer: Twilio bridges Ann to the caller
    answered = await record(client, tenant)
    assert answered["status"] == "answered"
    assert answered["answered_by"] == line.members["Ann"]["id"]

    # Ann hangs up after talking: the <Dial> ends, the caller is still there.
    ended = twiml_of(
        await phone.post(
            dial.get("action", ""),
            phone.base(
                CallStatus="in-progress",
                DialCallStatus="completed",
                DialBridged="true",
                DialCallSid=ann.call_sid,
            ),
        )
    )
    assert shape(ended) == ["Hangup"]
    done = await record(client, tenant)
    assert done["status"] == "completed"
    assert [(leg["member_name"], leg["status"]) for leg in done["legs"]] == [("Ann", "completed")]


async def run_due(ctx: AppContext, seconds: float = 0) -> None:
    """Let ``seconds`` pass, then carry out what is due (timers, dispatches)."""
    assert isinstance(ctx.clock, FrozenClock)
    ctx.clock.advance(timedelta(seconds=seconds))
    runner = Runner(ctx, worker_id="test")
    while await runner.tick():
        pass


def caller_updates(cloud: TwilioCloud, phone: Phone) -> list[Element]:
    """The documents callroute moved the caller to over REST."""
    return [
        ET.fromstring(r.one("Twiml") or "<Response/>")  # noqa: S314 - our own TwiML
        for r in cloud.made(rf"/Calls/{phone.call_sid}\.json", ok=True)
        if r.one("Twiml")
    ]


async def test_no_answer_moves_the_caller_to_the_next_responder_over_rest(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
) -> None:
    line = await twilio_line(client, tenant)
    phone = line.phone(client)
    doc = await phone.call()
    dial = find(doc, "Dial")
    number = find(dial, "Number")
    ann = Phone(client, sid("CA"), line.number, "+14155550101")
    await ann.post(number.get("statusCallback", ""), ann.base(CallStatus="ringing"))
    await run_due(ctx)  # the first step's dispatch: the caller already has its document
    assert caller_updates(cloud, phone) == []

    await run_due(ctx, 20)  # Ann's ring timeout: the engine moves on, Twilio has not
    [moved] = caller_updates(cloud, phone)
    assert shape(moved) == ["Dial[Number]"]
    assert find(moved, "Dial/Number").text == "+14155550102"  # Bob
    assert query(find(moved, "Dial").get("action", ""))["d"] == "2"
    # Ann's leg is hung up at Twilio too.
    [hangup] = cloud.made(rf"/Calls/{ann.call_sid}\.json")
    assert hangup.one("Status") == "completed"

    # The interrupted <Dial> may still report: it moves nobody.
    late = twiml_of(
        await phone.post(
            dial.get("action", ""), phone.base(CallStatus="in-progress", DialCallStatus="canceled")
        )
    )
    assert shape(late) == ["Enqueue"]
    assert len(caller_updates(cloud, phone)) == 1
    state = await record(client, tenant)
    assert [(leg["member_name"], leg["status"]) for leg in state["legs"]] == [
        ("Ann", "no_answer"),
        ("Bob", "dialing"),
    ]


async def test_a_dial_that_ends_first_gets_the_next_document_in_its_answer(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
) -> None:
    line = await twilio_line(client, tenant)
    phone = line.phone(client)
    dial = find(await phone.call(), "Dial")
    busy = twiml_of(
        await phone.post(
            dial.get("action", ""), phone.base(CallStatus="in-progress", DialCallStatus="busy")
        )
    )
    assert shape(busy) == ["Dial[Number]"]
    assert find(busy, "Dial/Number").text == "+14155550102"
    await run_due(ctx)
    assert caller_updates(cloud, phone) == []  # answered already: no REST update as well
    state = await record(client, tenant)
    assert state["legs"][0]["status"] == "busy"


async def accept_on(
    client: httpx.AsyncClient, line_number: str, dial: Element, digits: str
) -> tuple[Phone, Element]:
    """A responder of ``dial`` picks up and presses ``digits`` ("" = no key)."""
    number = find(dial, "Number")
    responder = Phone(client, sid("CA"), line_number, number.text or "")
    whisper = twiml_of(await responder.post(number.get("url", ""), responder.base()))
    gather = find(whisper, "Gather")
    answer = twiml_of(await responder.post(gather.get("action", ""), responder.base(Digits=digits)))
    return responder, answer


async def test_declined_by_one_then_accepted_by_the_next(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
) -> None:
    line = await twilio_line(client, tenant)
    phone = line.phone(client)
    first = find(await phone.call(), "Dial")
    _ann, declined = await accept_on(client, line.number, first, "2")
    assert shape(declined) == ["Hangup"]
    # Ann's child call ended, so Twilio asks what next: Bob, in the answer.
    second = twiml_of(
        await phone.post(
            first.get("action", ""),
            phone.base(CallStatus="in-progress", DialCallStatus="completed", DialBridged="false"),
        )
    )
    assert find(second, "Dial/Number").text == "+14155550102"
    _bob, accepted = await accept_on(client, line.number, find(second, "Dial"), "1")
    assert shape(accepted) == []
    state = await record(client, tenant)
    assert state["answered_by"] == line.members["Bob"]["id"]
    assert [(leg["member_name"], leg["status"]) for leg in state["legs"]] == [
        ("Ann", "declined"),
        ("Bob", "accepted"),
    ]
    await run_due(ctx)
    assert caller_updates(cloud, phone) == []


async def test_a_personal_voicemail_that_picks_up_is_not_an_answer(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
) -> None:
    line = await twilio_line(client, tenant)
    phone = line.phone(client)
    first = find(await phone.call(), "Dial")
    _ann, silent = await accept_on(client, line.number, first, "")  # the greeting, no key
    assert shape(silent) == ["Hangup"]
    state = await record(client, tenant)
    assert state["status"] == "ringing_responders"
    assert state["answered_by"] is None
    assert state["legs"][0]["status"] == "no_answer"
    await run_due(ctx)  # the decision reaches the caller over REST: Bob is dialled
    [moved] = caller_updates(cloud, phone)
    assert find(moved, "Dial/Number").text == "+14155550102"


async def test_nobody_answers_so_the_voicemail_reaches_the_alert(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
) -> None:
    line = await twilio_line(client, tenant)
    phone = line.phone(client)
    doc = await phone.call()
    for expected in ("+14155550102", "+14155550103"):  # Bob, then level 2: Chris
        doc = twiml_of(
            await phone.post(
                find(doc, "Dial").get("action", ""),
                phone.base(CallStatus="in-progress", DialCallStatus="no-answer"),
            )
        )
        assert find(doc, "Dial/Number").text == expected
    voicemail = twiml_of(
        await phone.post(
            find(doc, "Dial").get("action", ""),
            phone.base(CallStatus="in-progress", DialCallStatus="no-answer"),
        )
    )
    assert shape(voicemail) == ["Say", "Record"]
    recorder = find(voicemail, "Record")
    assert recorder.get("transcribe") == "true"
    assert recorder.get("maxLength") == "120"
    url = "https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RE1"
    recording = {"RecordingUrl": url, "RecordingDuration": "12", "RecordingSid": "RE1"}
    bye = twiml_of(
        await phone.post(recorder.get("action", ""), phone.base(Digits="hangup", **recording))
    )
    assert shape(bye) == ["Hangup"]
    await phone.post(
        recorder.get("recordingStatusCallback", ""),
        phone.base(RecordingStatus="completed", **recording),
    )  # the same recording, reported again: one effect
    transcript = "Hi, the database is down again, please call back."
    await phone.post(
        recorder.get("transcribeCallback", ""),
        phone.base(
            TranscriptionSid="TR1", TranscriptionStatus="completed", TranscriptionText=transcript
        ),
    )
    state = await record(client, tenant)
    assert state["status"] == "voicemail"
    assert state["recordings"][0]["url"] == url
    assert state["recordings"][0]["transcript"] == transcript
    alerts = (await client.get("/api/v1/alerts", headers=tenant.headers)).json()["data"]
    assert alerts[0]["recording_url"] == url
    assert alerts[0]["transcript"] == transcript

    # The recording is played through callroute, which fetches it with the account's
    # credentials: the caller of the API never sees them.
    cloud.recordings["RE1"] = b"ID3 an mp3 of twelve seconds"
    audio_url = f"/api/v1/calls/{state['id']}/recordings/{state['recordings'][0]['id']}/audio"
    audio = await client.get(audio_url, headers=tenant.headers)
    assert audio.status_code == 200, audio.text
    assert audio.headers["content-type"] == "audio/mpeg"
    assert audio.content == b"ID3 an mp3 of twelve seconds"
    [fetched] = cloud.made(r"/Recordings/RE1\.mp3$", "GET")
    assert fetched.host == "api.twilio.com"
    assert fetched.user == ACCOUNT_SID
    del cloud.recordings["RE1"]  # deleted at Twilio since
    gone = await client.get(audio_url, headers=tenant.headers)
    assert gone.status_code == 404
    assert "Twilio has no such recording" in gone.json()["error"]["message"]


async def test_the_caller_hangs_up_during_the_menu(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
) -> None:
    line = await twilio_line(client, tenant)
    menu = {
        "menu": {
            "prompt": {"text": "Press 1 for support."},
            "options": [{"digit": "1", "action": {"type": "voicemail"}}],
        },
        "action": None,
        "greeting": None,
    }
    response = await client.patch(
        f"/api/v1/routers/{line.router['id']}", json=menu, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    phone = line.phone(client)
    doc = await phone.call()
    assert shape(doc) == ["Gather[Say]"]
    gather = find(doc, "Gather")
    assert gather.get("actionOnEmptyResult") == "true"
    status = phone.base(CallStatus="completed", CallDuration="4")
    for _ in range(2):  # Twilio may report it twice
        gone = await phone.post(f"{PUBLIC_URL}/webhooks/twilio/status", status)
        assert gone.status_code == 204
    state = await record(client, tenant)
    assert state["status"] == "missed"
    assert state["reason"] == "caller hung up during menu"
    entries = await callsetup.timeline(client, tenant, state["id"])
    assert [e["kind"] for e in entries].count("caller_hung_up") == 1


async def test_the_caller_hangs_up_while_responders_ring(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
) -> None:
    line = await twilio_line(client, tenant)
    phone = line.phone(client)
    dial = find(await phone.call(), "Dial")
    bye = twiml_of(
        await phone.post(
            dial.get("action", ""), phone.base(CallStatus="completed", DialCallStatus="canceled")
        )
    )
    assert shape(bye) == ["Hangup"]
    state = await record(client, tenant)
    assert state["status"] == "missed"
    assert state["reason"] == "caller hung up during ringing"
    assert state["legs"][0]["status"] == "canceled"


async def test_leg_callbacks_out_of_order_and_repeated_have_one_effect(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
) -> None:
    line = await twilio_line(client, tenant)
    phone = line.phone(client)
    number = find(find(await phone.call(), "Dial"), "Number")
    ann = Phone(client, sid("CA"), line.number, "+14155550101")
    callback = number.get("statusCallback", "")
    for status, sequence in (("busy", "2"), ("ringing", "1"), ("busy", "2"), ("initiated", "0")):
        response = await ann.post(callback, ann.base(CallStatus=status, SequenceNumber=sequence))
        assert response.status_code == 204
    state = await record(client, tenant)
    assert (state["legs"][0]["member_name"], state["legs"][0]["status"]) == ("Ann", "busy")
    entries = await callsetup.timeline(client, tenant, state["id"])
    kinds = [e["kind"] for e in entries]
    assert kinds.count("leg_ended") == 1
    assert "leg_ringing" not in kinds  # "ringing" came after the end: ignored


async def test_a_forged_or_missing_signature_changes_nothing(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
) -> None:
    line = await twilio_line(client, tenant)
    forged = line.phone(client)
    voice = f"{PUBLIC_URL}/webhooks/twilio/voice"
    params = forged.base(CallStatus="ringing")
    wrong = await forged.post(voice, params, token=OTHER_TOKEN)
    missing = await forged.post(voice, params, signature=None)
    tampered = await forged.post(voice, params, signature=sign(voice, {**params, "From": "+1"}))
    for response in (wrong, missing, tampered):
        assert response.status_code == 403
    assert (await client.get("/api/v1/calls", headers=tenant.headers)).json()["total"] == 0

    phone = line.phone(client)
    dial = find(await phone.call(), "Dial")
    before = await record(client, tenant)
    hangup = phone.base(CallStatus="completed", DialCallStatus="canceled")
    assert (await phone.post(dial.get("action", ""), hangup, token=OTHER_TOKEN)).status_code == 403
    assert (await phone.post(dial.get("action", ""), hangup, signature=None)).status_code == 403
    after = await record(client, tenant)
    assert after["status"] == before["status"] == "ringing_responders"
    assert after["legs"] == before["legs"]


async def test_hold_mode_bridges_the_second_leg_that_accepts_first(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
) -> None:
    levels = [
        {
            "strategy": "simultaneous",
            "ring_timeout_seconds": 30,
            "targets": [{"type": "member", "id": "{Ann}"}, {"type": "member", "id": "{Bob}"}],
        }
    ]
    line = await twilio_line(
        client,
        tenant,
        levels=levels,
        ringing={"mode": "hold", "hold_music_url": "https://music.example.com/wait.mp3"},
    )
    phone = line.phone(client)
    doc = await phone.call()
    assert shape(doc) == ["Say", "Enqueue"]
    enqueue = find(doc, "Enqueue")
    assert enqueue.get("waitUrl") == "https://music.example.com/wait.mp3"
    await run_due(ctx)  # the responders are called out of band
    created = cloud.made(r"/Calls\.json$")
    assert sorted(r.one("To") or "" for r in created) == ["+14155550101", "+14155550102"]
    assert {r.one("From") for r in created} == {line.number}
    by_number = {r.one("To"): r for r in created}
    legs = {
        name: (by_number[number], sid_of(cloud, number))
        for name, number in (("Ann", "+14155550101"), ("Bob", "+14155550102"))
    }

    bob_request, bob_sid = legs["Bob"]
    bob = Phone(client, bob_sid, line.number, "+14155550102")
    whisper = twiml_of(await bob.post(bob_request.one("Url") or "", bob.base()))
    joined = twiml_of(
        await bob.post(find(whisper, "Gather").get("action", ""), bob.base(Digits="1"))
    )
    assert shape(joined) == ["Dial[Queue]"]
    assert find(joined, "Dial/Queue").text == enqueue.text  # the caller's own queue
    await run_due(ctx)
    ann_request, ann_sid = legs["Ann"]
    assert [r.one("Status") for r in cloud.made(rf"/Calls/{ann_sid}\.json")] == ["completed"]
    ann = Phone(client, ann_sid, line.number, "+14155550101")
    late = twiml_of(await ann.post(ann_request.one("Url") or "", ann.base()))
    assert shape(late) == ["Say", "Hangup"]  # someone else has taken this call
    state = await record(client, tenant)
    assert state["answered_by"] == line.members["Bob"]["id"]
    assert sorted((leg["member_name"], leg["status"]) for leg in state["legs"]) == [
        ("Ann", "canceled"),
        ("Bob", "accepted"),
    ]
    assert {leg["member_name"]: leg["provider_leg_id"] for leg in state["legs"]} == {
        "Ann": ann_sid,
        "Bob": bob_sid,
    }


def sid_of(cloud: TwilioCloud, number: str) -> str:
    return next(s for s, call in cloud.calls.items() if call.get("to") == number)


async def test_the_caller_hangs_up_on_hold(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
) -> None:
    line = await twilio_line(client, tenant, ringing={"mode": "hold"})
    phone = line.phone(client)
    enqueue = find(await phone.call(), "Enqueue")
    await run_due(ctx)
    bye = twiml_of(await phone.post(enqueue.get("action", ""), phone.base(QueueResult="hangup")))
    assert shape(bye) == ["Hangup"]
    state = await record(client, tenant)
    assert state["status"] == "missed"
    await run_due(ctx)
    ann_sid = sid_of(cloud, "+14155550101")
    assert [r.one("Status") for r in cloud.made(rf"/Calls/{ann_sid}\.json")] == ["completed"]
