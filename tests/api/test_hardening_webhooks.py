"""Outgoing webhooks go to public https destinations: refused when a subscription is
written, and checked again before every delivery, after resolving the name then."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callroute.app_context import AppContext
from callroute.auth.permissions import Role
from callroute.config import Settings
from callroute.models import WebhookDelivery
from callroute.outgoing_webhooks import delivery
from callroute.outgoing_webhooks.destinations import Resolver
from tests.conftest import TEST_SECRET_KEY, Tenant, make_key


@pytest.fixture
def settings(db_url: str) -> Settings:
    """As an operator leaves it: private destinations refused (names are resolved by the
    resolver each test injects, never this machine's)."""
    return Settings(
        database_url=db_url,
        secret_key=TEST_SECRET_KEY,
        rate_limit_per_minute=0,
        auth_failures_per_minute=0,
        webhooks_allow_private_destinations=False,
    )


URL = "/api/v1/webhooks"


def refused(response: httpx.Response) -> str:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("validation_error", "url")
    message: str = error["message"]
    return message


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://127.0.0.1:5432/", "loopback"),
        ("https://[::1]/x", "loopback"),
        ("https://localhost:8080/x", "loopback"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://10.1.2.3/x", "private"),
        ("https://172.20.0.1/x", "private"),
        ("https://192.168.0.10/x", "private"),
        ("https://[fd00::1]/x", "private"),
        ("https://224.0.0.251/x", "multicast"),
        ("https://0.0.0.0/x", "unspecified"),
        ("https://100.64.1.1/x", "non-public"),
    ],
)
async def test_internal_destinations_are_refused(
    client: httpx.AsyncClient, tenant: Tenant, url: str, kind: str
) -> None:
    message = refused(await client.post(URL, json={"url": url}, headers=tenant.headers))
    assert f"{kind} address" in message or f"a {kind} name" in message
    listed = await client.get(URL, headers=tenant.headers)
    assert listed.json()["total"] == 0


async def test_an_update_cannot_point_a_subscription_inside(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    created = await client.post(
        URL, json={"url": "https://hooks.example.com/x"}, headers=tenant.headers
    )
    assert created.status_code == 201, created.text
    path = f"{URL}/{created.json()['id']}"
    refused(await client.patch(path, json={"url": "https://127.0.0.1/x"}, headers=tenant.headers))
    assert (await client.get(path, headers=tenant.headers)).json()["url"] == (
        "https://hooks.example.com/x"
    )


async def test_a_url_that_is_not_one_is_refused(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for url in ("https://a\u0004b.example.com/x", "https://a_b.example.com/", "https://127.1/"):
        refused(await client.post(URL, json={"url": url}, headers=tenant.headers))


async def test_http_takes_the_project_setting(client: httpx.AsyncClient, tenant: Tenant) -> None:
    body = {"url": "http://hooks.example.com/x"}
    message = refused(await client.post(URL, json=body, headers=tenant.headers))
    assert "does not allow http:// webhooks" in message
    project = await client.patch(
        "/api/v1/project", json={"webhooks_allow_http": True}, headers=tenant.headers
    )
    assert project.status_code == 200, project.text
    assert project.json()["webhooks_allow_http"] is True
    assert (await client.post(URL, json=body, headers=tenant.headers)).status_code == 201


async def test_only_an_owner_key_changes_the_http_setting(
    client: httpx.AsyncClient, ctx: AppContext, tenant: Tenant
) -> None:
    admin = await make_key(ctx, tenant, role=Role.ADMIN)
    response = await client.patch(
        "/api/v1/project",
        json={"webhooks_allow_http": True},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert response.status_code == 403


async def test_the_operator_may_allow_private_destinations(
    client: httpx.AsyncClient, ctx: AppContext, tenant: Tenant
) -> None:
    ctx.settings.webhooks_allow_private_destinations = True
    response = await client.post(URL, json={"url": "https://10.1.2.3/x"}, headers=tenant.headers)
    assert response.status_code == 201, response.text


class Receiver:
    """The subscriber's side, at the HTTP transport: records what reached it."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200)


def resolving_to(address: str) -> Resolver:
    async def resolve(host: str, port: int) -> list[str]:
        return [address]

    return resolve


async def _one_delivery(client: httpx.AsyncClient, ctx: AppContext, tenant: Tenant) -> uuid.UUID:
    created = await client.post(
        URL, json={"url": "https://hooks.example.com/x"}, headers=tenant.headers
    )
    assert created.status_code == 201, created.text
    async with ctx.db.unit_of_work() as session:
        queued = await delivery.enqueue(
            session, tenant.project_id, "call.ended", {"call_id": "c1"}, ctx.clock.now()
        )
        assert len(queued) == 1
        found: uuid.UUID | None = await session.scalar(select(WebhookDelivery.id))
    assert found is not None
    return found


async def _deliver(
    ctx: AppContext, delivery_id: uuid.UUID, receiver: Receiver, address: str
) -> WebhookDelivery:
    async def keep_the_timer(_session: AsyncSession) -> bool:
        return True  # the delivery is carried out here, outside a runner

    async with httpx.AsyncClient(transport=httpx.MockTransport(receiver)) as http:
        await delivery.deliver(
            ctx.db,
            delivery_id,
            http,
            ctx.secret_keys,
            ctx.clock.now(),
            keep_the_timer,
            allow_private=False,
            resolver=resolving_to(address),
        )
    async with ctx.db.unit_of_work(readonly=True) as session:
        row = await session.get(WebhookDelivery, delivery_id)
        assert row is not None
        return row


@pytest.mark.parametrize("address", ["127.0.0.1", "169.254.169.254", "10.0.0.7", "::1"])
async def test_a_name_that_now_resolves_inside_is_refused_at_delivery(
    client: httpx.AsyncClient, ctx: AppContext, tenant: Tenant, address: str
) -> None:
    """The name did not resolve (or resolved outside) when subscribed; its record changed."""
    delivery_id = await _one_delivery(client, ctx, tenant)
    receiver = Receiver()
    row = await _deliver(ctx, delivery_id, receiver, address)
    assert receiver.requests == []
    assert row.status == "failed"
    assert row.next_attempt_at is None
    assert row.last_error is not None
    assert row.last_error.startswith(
        f"destination refused: hooks.example.com resolves to {address}"
    )


async def test_a_public_destination_is_delivered_to(
    client: httpx.AsyncClient, ctx: AppContext, tenant: Tenant
) -> None:
    delivery_id = await _one_delivery(client, ctx, tenant)
    receiver = Receiver()
    row = await _deliver(ctx, delivery_id, receiver, "93.184.216.34")
    assert [str(r.url) for r in receiver.requests] == ["https://hooks.example.com/x"]
    assert row.status == "delivered"


async def test_http_stops_at_delivery_when_the_project_withdraws_it(
    client: httpx.AsyncClient, ctx: AppContext, tenant: Tenant
) -> None:
    await client.patch(
        "/api/v1/project", json={"webhooks_allow_http": True}, headers=tenant.headers
    )
    created = await client.post(
        URL, json={"url": "http://hooks.example.com/x"}, headers=tenant.headers
    )
    assert created.status_code == 201
    await client.patch(
        "/api/v1/project", json={"webhooks_allow_http": False}, headers=tenant.headers
    )
    async with ctx.db.unit_of_work() as session:
        await delivery.enqueue(session, tenant.project_id, "call.ended", {}, ctx.clock.now())
        delivery_id = await session.scalar(select(WebhookDelivery.id))
    assert delivery_id is not None
    receiver = Receiver()
    row = await _deliver(ctx, delivery_id, receiver, "93.184.216.34")
    assert receiver.requests == []
    assert row.last_error is not None
    assert "does not allow http:// webhooks" in row.last_error
