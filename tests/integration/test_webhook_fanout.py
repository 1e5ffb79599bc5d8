"""Outgoing webhooks with several subscribers, and the test event a user sends to check a
receiver: both databases, deliveries run by the timer runner, the receiver at the HTTP
transport."""

from __future__ import annotations

import json

import httpx

from callroute.app_context import AppContext
from callroute.auth.permissions import Role
from callroute.outgoing_webhooks.signing import SIGNATURE_HEADER, verify
from tests import callsetup
from tests.conftest import Tenant, make_key

URL = "/api/v1/webhooks"


class Receiver:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(204)

    def bodies(self, url: str) -> list[dict[str, object]]:
        return [json.loads(r.content) for r in self.requests if str(r.url) == url]


async def subscribe(client: httpx.AsyncClient, tenant: Tenant, url: str, **fields: object) -> dict:  # type: ignore[type-arg]
    created = await client.post(URL, json={"url": url, **fields}, headers=tenant.headers)
    assert created.status_code == 201, created.text
    body: dict = created.json()  # type: ignore[type-arg]
    return body


async def test_every_subscriber_gets_the_event_itself(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    receiver = Receiver()
    ctx.http = httpx.AsyncClient(transport=httpx.MockTransport(receiver))
    first = "https://one.example.com/hook"
    second = "https://two.example.com/hook"
    await subscribe(client, tenant, first, events=["call.started"])
    await subscribe(client, tenant, second, events=["call.started"])
    line = await callsetup.routed_line(client, tenant)
    placed = await callsetup.place(client, tenant, line, phones={"Ann": "answer-after:2"})
    await callsetup.settle(ctx)

    one, two = receiver.bodies(first), receiver.bodies(second)
    assert len(one) == len(two) == 1
    assert one[0]["type"] == two[0]["type"] == "call.started"
    assert one[0]["data"]["call_id"] == two[0]["data"]["call_id"] == placed["id"]  # type: ignore[index]
    assert one[0]["id"] == two[0]["id"]  # one event, two deliveries


async def test_a_test_event_reaches_that_subscription_alone_signed_with_its_secret(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    receiver = Receiver()
    ctx.http = httpx.AsyncClient(transport=httpx.MockTransport(receiver))
    target = "https://receiver.example.com/hook"
    # It takes only alert events: a test is sent all the same.
    created = await subscribe(client, tenant, target, events=["alert.triggered"])
    await subscribe(client, tenant, "https://other.example.com/hook")

    answer = await client.post(f"{URL}/{created['id']}/test", headers=tenant.headers)
    assert answer.status_code == 202, answer.text
    queued = answer.json()
    assert (queued["event_type"], queued["status"], queued["attempts"]) == (
        "webhook.test",
        "pending",
        0,
    )
    await callsetup.settle(ctx)

    [request] = receiver.requests  # the other subscription got nothing
    assert str(request.url) == target
    assert request.headers["Callroute-Event"] == "webhook.test"
    assert request.headers["Callroute-Delivery"] == queued["id"]
    now = int(ctx.clock.now().timestamp())
    assert verify(created["secret"], request.headers[SIGNATURE_HEADER], request.content, now)
    body = json.loads(request.content)
    assert body["type"] == "webhook.test"
    assert body["data"]["subscription_id"] == created["id"]
    log = (await client.get(f"{URL}/{created['id']}/deliveries", headers=tenant.headers)).json()
    assert [(d["event_type"], d["status"]) for d in log["data"]] == [("webhook.test", "delivered")]


async def test_a_viewer_cannot_send_a_test_event(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    created = await subscribe(client, tenant, "https://receiver.example.com/hook")
    viewer = await make_key(ctx, tenant, role=Role.VIEWER)
    answer = await client.post(
        f"{URL}/{created['id']}/test", headers={"Authorization": f"Bearer {viewer}"}
    )
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"
