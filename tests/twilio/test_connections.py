"""Forwards, SIP trunks and bots through Twilio; outages; prices; the edges of the webhooks
(unknown numbers, retries, the JSON signature variant, ports)."""

from __future__ import annotations

import hashlib
import json

import httpx

from callroute.app_context import AppContext
from tests import callsetup, factories
from tests.conftest import Tenant
from tests.twilio.cloud import PUBLIC_URL, Phone, TwilioCloud, shape, sid, sign, twiml_of
from tests.twilio.conftest import twilio_line
from tests.twilio.test_calls import caller_updates, find, record, run_due, sid_of


async def route_to(
    client: httpx.AsyncClient, tenant: Tenant, router_id: str, action: dict[str, object]
) -> None:
    response = await client.patch(
        f"/api/v1/routers/{router_id}",
        json={"greeting": None, "action": action},
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text


async def test_a_forward_rings_the_number_and_ends_with_it(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await twilio_line(client, tenant)
    await route_to(client, tenant, line.router["id"], {"type": "forward", "number": "+33142685300"})
    phone = line.phone(client)
    doc = await phone.call()
    assert shape(doc) == ["Dial[Number]"]
    dial = find(doc, "Dial")
    assert find(dial, "Number").text == "+33142685300"
    assert find(dial, "Number").get("statusCallbackEvent") == "answered"
    far = Phone(client, sid("CA"), line.number, "+33142685300")
    await far.post(
        find(dial, "Number").get("statusCallback", ""), far.base(CallStatus="in-progress")
    )
    assert (await record(client, tenant))["status"] == "answered"
    ended = twiml_of(
        await phone.post(
            dial.get("action", ""),
            phone.base(CallStatus="in-progress", DialCallStatus="completed", DialBridged="true"),
        )
    )
    assert shape(ended) == ["Hangup"]
    assert (await record(client, tenant))["status"] == "completed"


async def test_a_busy_sip_trunk_falls_back_to_voicemail(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await twilio_line(client, tenant)
    trunk = await factories.post(
        client, tenant, "sip-trunks", {"name": "PBX", "uri": "sip:desk@pbx.example.com"}
    )
    await route_to(client, tenant, line.router["id"], {"type": "sip", "sip_trunk_id": trunk["id"]})
    phone = line.phone(client)
    dial = find(await phone.call(), "Dial")
    assert find(dial, "Sip").text == "sip:desk@pbx.example.com"
    voicemail = twiml_of(
        await phone.post(
            dial.get("action", ""), phone.base(CallStatus="in-progress", DialCallStatus="busy")
        )
    )
    assert shape(voicemail) == ["Say", "Record"]


async def test_a_bot_gets_a_stream_with_the_calls_parameters(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    line = await twilio_line(client, tenant)
    bot = await factories.post(
        client,
        tenant,
        "bots",
        {
            "name": "Agent",
            "websocket_url": "wss://bots.example.com/stream",
            "parameters": {"tenant": "acme"},
        },
    )
    await route_to(client, tenant, line.router["id"], {"type": "bot", "bot_id": bot["id"]})
    phone = line.phone(client)
    doc = await phone.call()
    assert shape(doc) == ["Connect[Stream[Parameter,Parameter,Parameter]]"]
    stream = find(doc, "Connect/Stream")
    assert stream.get("url") == "wss://bots.example.com/stream"
    parameters = {p.get("name"): p.get("value") for p in stream.findall("Parameter")}
    calls = (await client.get("/api/v1/calls", headers=tenant.headers)).json()["data"]
    assert parameters == {"call_id": calls[0]["id"], "to": line.number, "tenant": "acme"}
    started = {
        "StreamSid": "MZ1",
        "StreamEvent": "stream-started",
        "AccountSid": phone.base()["AccountSid"],
    }
    await phone.post(stream.get("statusCallback", ""), {**phone.base(), **started})
    assert (await record(client, tenant))["status"] == "answered"
    bye = twiml_of(await phone.post(find(doc, "Connect").get("action", ""), phone.base()))
    assert shape(bye) == ["Hangup"]
    assert (await record(client, tenant))["status"] == "completed"


async def test_when_twilio_refuses_a_responders_call_the_caller_still_gets_voicemail(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
) -> None:
    line = await twilio_line(client, tenant, ringing={"mode": "hold"})
    cloud.fail[r"/Calls\.json$"] = [503] * 40  # Twilio down for creating calls
    phone = line.phone(client)
    await phone.call()
    await run_due(ctx)
    await run_due(ctx)
    state = await record(client, tenant)
    assert [(leg["member_name"], leg["status"]) for leg in state["legs"]] == [
        ("Ann", "failed"),
        ("Bob", "failed"),
        ("Chris", "failed"),
    ]
    [voicemail] = caller_updates(cloud, phone)  # the caller is moved on, never left waiting
    assert shape(voicemail) == ["Say", "Record"]
    entries = await callsetup.timeline(client, tenant, state["id"])
    errors = [e for e in entries if e["kind"] == "leg_error"]
    assert len(errors) == 3
    assert all("Internal" in e["detail"]["message"] for e in errors)  # Twilio's own words


async def test_an_outage_while_moving_the_caller_is_retried_and_shown_on_the_timeline(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
) -> None:
    line = await twilio_line(client, tenant)
    phone = line.phone(client)
    await phone.call()
    await run_due(ctx)
    cloud.fail[rf"/Calls/{phone.call_sid}\.json"] = [503] * 4  # one dispatch's worth of tries
    await run_due(ctx, 20)  # Ann's ring timeout: moving the caller to Bob fails...
    assert caller_updates(cloud, phone) == []
    state = await record(client, tenant)
    entries = await callsetup.timeline(client, tenant, state["id"])
    trouble = [e for e in entries if e["kind"] == "provider_unavailable"]
    assert len(trouble) == 1
    assert trouble[0]["detail"]["retry_in_seconds"] == 2
    await run_due(ctx, 2)  # ...and the retry gets through
    [moved] = caller_updates(cloud, phone)
    assert find(moved, "Dial/Number").text == "+14155550102"


async def test_what_twilio_charged_is_stored_on_the_call_and_its_legs(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext, cloud: TwilioCloud
) -> None:
    line = await twilio_line(client, tenant, ringing={"mode": "hold"})
    phone = line.phone(client)
    enqueue = find(await phone.call(), "Enqueue")
    await run_due(ctx)
    await phone.post(enqueue.get("action", ""), phone.base(QueueResult="hangup"))
    await run_due(ctx)  # the call ended: prices are asked for a little later
    cloud.calls[phone.call_sid] = {"sid": phone.call_sid, "price": "-0.0085", "price_unit": "usd"}
    ann = sid_of(cloud, "+14155550101")
    cloud.calls[ann]["price"] = None  # not known yet: asked again later
    await run_due(ctx, 120)
    state = await record(client, tenant)
    assert (state["price"], state["price_unit"]) == ("0.0085", "USD")
    assert state["legs"][0]["price"] is None
    cloud.calls[ann]["price"] = "-0.0140"
    await run_due(ctx, 240)
    state = await record(client, tenant)
    assert (state["legs"][0]["price"], state["legs"][0]["price_unit"]) == ("0.0140", "USD")


async def test_a_number_that_is_not_ours_hears_so_and_nothing_is_recorded(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    await twilio_line(client, tenant)
    stranger = Phone(client, sid("CA"), "+442071838750", "+12015559999")
    doc = await stranger.call()
    assert shape(doc) == ["Say", "Hangup"]
    assert "not in service" in (find(doc, "Say").text or "")
    assert (await client.get("/api/v1/calls", headers=tenant.headers)).json()["total"] == 0


async def test_twilio_asking_again_for_the_call_gets_the_same_document(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    line = await twilio_line(client, tenant)
    phone = line.phone(client)
    first = await phone.call()
    again = await phone.call(ErrorCode="11200", ErrorUrl=f"{PUBLIC_URL}/webhooks/twilio/voice")
    assert shape(again) == shape(first)
    assert find(again, "Dial").get("action") == find(first, "Dial").get("action")
    assert (await client.get("/api/v1/calls", headers=tenant.headers)).json()["total"] == 1


async def test_the_json_variant_and_the_port_rule_of_the_signature(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    line = await twilio_line(client, tenant)
    phone = line.phone(client)
    # Signed over the URL with the default port, as Twilio does for some HTTPS callbacks.
    url = f"{PUBLIC_URL}/webhooks/twilio/voice".replace(".com/", ".com:443/")
    params = phone.base(CallStatus="ringing")
    response = await client.post(
        "/webhooks/twilio/voice",
        content="&".join(f"{k}={v}".replace("+", "%2B") for k, v in params.items()),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": sign(url, params),
        },
    )
    assert shape(twiml_of(response)) == ["Say", "Dial[Number]"]

    body = json.dumps({"StreamSid": "MZ9", "StreamEvent": "stream-stopped"})
    digest = hashlib.sha256(body.encode()).hexdigest()
    calls = (await client.get("/api/v1/calls", headers=tenant.headers)).json()["data"]
    path = f"/webhooks/twilio/stream?call={calls[0]['id']}&bodySHA256={digest}"
    signed = await client.post(
        path,
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Twilio-Signature": sign(PUBLIC_URL + path, {}),
        },
    )
    assert signed.status_code == 204
    altered = await client.post(
        path,
        content=body.replace("MZ9", "MZ8"),
        headers={
            "Content-Type": "application/json",
            "X-Twilio-Signature": sign(PUBLIC_URL + path, {}),
        },
    )
    assert altered.status_code == 403
