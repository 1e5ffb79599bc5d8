"""Every failure of the live call router API answers in Rootly's error shape, naming what
was wrong: authentication, permissions, tenancy, methods, media types, JSON, attributes."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from callroute.app_context import AppContext
from callroute.auth.permissions import Role
from callroute.auth.ratelimit import RateLimiter
from callroute.models import Router
from tests.compat import rootly_support as rs
from tests.compat.rootly_support import BASE
from tests.conftest import Tenant, make_key

UNKNOWN = "01a20000-0000-7000-8000-000000000000"


def routes(router_id: str) -> list[tuple[str, str, Any]]:
    body = rs.document({"name": "x"})
    return [
        ("GET", BASE, None),
        ("POST", BASE, body),
        ("GET", f"{BASE}/generate_phone_number?country_code=US&phone_type=local", None),
        ("GET", f"{BASE}/{router_id}", None),
        ("PUT", f"{BASE}/{router_id}", body),
        ("DELETE", f"{BASE}/{router_id}", None),
    ]


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer crk_nope_nope", "Basic abc"])
async def test_every_endpoint_wants_a_valid_key(
    client: httpx.AsyncClient, tenant: Tenant, authorization: str | None
) -> None:
    d = await rs.directory(client, tenant)
    created = await rs.create(client, tenant, rs.minimal(d))
    header = {"Content-Type": rs.MEDIA_TYPE}
    if authorization is not None:
        header["Authorization"] = authorization
    for method, url, body in routes(created["id"]):
        response = await client.request(method, url, json=body, headers=header)
        error = rs.errors(response, 401)[0]
        assert (error["title"], error["code"]) == ("Unauthorized", "unauthorized")
        assert "key" in error["detail"]


@pytest.mark.parametrize(("role", "permissions"), [(Role.VIEWER, None), (None, ["routers:read"])])
async def test_a_read_only_key_reads_and_is_refused_writes(
    client: httpx.AsyncClient,
    tenant: Tenant,
    ctx: AppContext,
    role: Role | None,
    permissions: list[str] | None,
) -> None:
    d = await rs.directory(client, tenant)
    created = await rs.create(client, tenant, rs.minimal(d))
    key = await make_key(ctx, tenant, role=role, permissions=permissions)
    listed = await client.get(BASE, headers=rs.headers(key))
    assert listed.status_code == 200
    assert listed.json()["data"] == [created]
    assert (await rs.fetch(client, key, created["id"])) == created

    writes = [
        ("POST", BASE, rs.document(rs.minimal(d, name="Other"))),
        ("PUT", f"{BASE}/{created['id']}", rs.document({"name": "Renamed"})),
        ("DELETE", f"{BASE}/{created['id']}", None),
    ]
    for method, url, body in writes:
        response = await client.request(method, url, json=body, headers=rs.headers(key))
        error = rs.errors(response, 403)[0]
        assert (error["title"], error["code"]) == ("Forbidden", "forbidden")
        assert "routers:write" in error["detail"]
    assert (await rs.fetch(client, tenant, created["id"])) == created
    offer = await client.get(
        f"{BASE}/generate_phone_number",
        params={"country_code": "US", "phone_type": "local"},
        headers=rs.headers(key),
    )
    if role is Role.VIEWER:
        assert offer.status_code == 200
    else:
        assert "numbers:read" in rs.errors(offer, 403)[0]["detail"]


async def test_claiming_a_number_needs_numbers_write(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    d = await rs.directory(client, tenant)
    key = await make_key(ctx, tenant, permissions=["routers:write", "numbers:read"])
    refused = await client.post(BASE, json=rs.document(rs.minimal(d)), headers=rs.headers(key))
    assert "numbers:write" in rs.errors(refused, 403)[0]["detail"]
    # A number the project already owns is only routed, which routers:write allows.
    owned = (
        await client.post(
            "/api/v1/numbers",
            json={"connection_id": d.connection["id"], "country": "US"},
            headers=tenant.headers,
        )
    ).json()
    attributes = rs.minimal(d, phone_number=owned["number"])
    allowed = await client.post(BASE, json=rs.document(attributes), headers=rs.headers(key))
    assert allowed.status_code == 201, allowed.text


async def test_another_projects_router_is_not_found(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    d = await rs.directory(client, tenant)
    created = await rs.create(client, tenant, rs.minimal(d))
    for method, url, body in routes(created["id"])[3:]:
        response = await client.request(method, url, json=body, headers=rs.headers(other_tenant))
        error = rs.errors(response, 404)[0]
        assert (error["title"], error["code"]) == ("Not Found", "not_found")
    for ref in (UNKNOWN, "not-an-id"):
        response = await client.get(f"{BASE}/{ref}", headers=rs.headers(tenant))
        assert ref in rs.errors(response, 404)[0]["detail"]
    listed = (await client.get(BASE, headers=rs.headers(other_tenant))).json()
    assert listed["data"] == []
    assert listed["meta"]["total_count"] == 0
    assert (await rs.fetch(client, tenant, created["id"])) == created


async def test_another_projects_targets_and_urgencies_are_refused(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = await rs.directory(client, tenant)
    ours = await rs.directory(client, other_tenant)
    created = await rs.create(client, other_tenant, rs.minimal(ours))
    cases: list[tuple[dict[str, Any], str]] = [
        ({"paging_targets": [theirs.target("team")]}, "paging_targets[0].id"),
        ({"paging_targets": [theirs.target("functionality")]}, "paging_targets[0].id"),
        (
            {
                "paging_targets": [ours.target("team", None)],
                "alert_urgency_id": theirs.urgencies["high"],
            },
            "alert_urgency_id",
        ),
        (
            {
                "paging_targets": [
                    {**ours.target("team"), "alert_urgency_id": theirs.urgencies["low"]}
                ]
            },
            "paging_targets[0].alert_urgency_id",
        ),
        (
            {
                "escalation_policy_trigger_params": {
                    "id": theirs.policy["id"],
                    "type": "EscalationPolicy",
                }
            },
            "escalation_policy_trigger_params.id",
        ),
    ]
    for change, field in cases:
        for response in (
            await client.post(
                BASE, json=rs.document(rs.minimal(ours, **change)), headers=rs.headers(other_tenant)
            ),
            await client.put(
                f"{BASE}/{created['id']}",
                json=rs.document(change),
                headers=rs.headers(other_tenant),
            ),
        ):
            if "escalation_policy_trigger_params" in change and response.request.method == "POST":
                field_seen = "escalation_policy_trigger_params"
            else:
                field_seen = field
            detail = rs.errors(response, 422)[0]["detail"]
            assert detail.startswith(f"data.attributes.{field_seen}"), detail
    assert (await rs.fetch(client, other_tenant, created["id"])) == created


async def test_wrong_methods_and_paths_answer_in_rootlys_shape(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    d = await rs.directory(client, tenant)
    created = await rs.create(client, tenant, rs.minimal(d))
    for method, url in (("PATCH", f"{BASE}/{created['id']}"), ("DELETE", BASE), ("PUT", BASE)):
        response = await client.request(method, url, json={}, headers=rs.headers(tenant))
        error = rs.errors(response, 405)[0]
        assert (error["title"], error["code"]) == ("Method Not Allowed", "method_not_allowed")
    missing = await client.get(f"{BASE}/{created['id']}/calls", headers=rs.headers(tenant))
    assert rs.errors(missing, 404)[0]["code"] == "not_found"


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
async def test_bodies_must_be_json_api_or_json(
    client: httpx.AsyncClient, tenant: Tenant, content_type: str | None
) -> None:
    d = await rs.directory(client, tenant)
    created = await rs.create(client, tenant, rs.minimal(d))
    header = {"Authorization": f"Bearer {tenant.key}"}
    if content_type:
        header["Content-Type"] = content_type
    raw = httpx.Request("POST", "http://x", json=rs.document(rs.minimal(d))).content
    for method, url in (("POST", BASE), ("PUT", f"{BASE}/{created['id']}")):
        response = await client.request(method, url, content=raw, headers=header)
        error = rs.errors(response, 415)[0]
        assert error["code"] == "unsupported_media_type"
        assert "application/vnd.api+json" in error["detail"]


async def test_json_api_media_type_parameters_and_plain_json_are_accepted(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    d = await rs.directory(client, tenant)
    raw = httpx.Request("POST", "http://x", json=rs.document(rs.minimal(d))).content
    for index, content_type in enumerate(
        ("application/vnd.api+json; charset=utf-8", "application/json")
    ):
        response = await client.post(
            BASE,
            content=raw.replace(b"Support hotline", f"Line {index}".encode()),
            headers={"Authorization": f"Bearer {tenant.key}", "Content-Type": content_type},
        )
        assert response.status_code == 201, response.text
        assert response.headers["content-type"] == rs.MEDIA_TYPE


@pytest.mark.parametrize("raw", [b"{", b"", b"\xff\xfe", b'{"data": }'])
async def test_malformed_json_is_a_400(
    client: httpx.AsyncClient, tenant: Tenant, raw: bytes
) -> None:
    response = await client.post(BASE, content=raw, headers=rs.headers(tenant))
    error = rs.errors(response, 400)[0]
    assert (error["title"], error["code"]) == ("Bad Request", "malformed_json")


LONG = "x" * 2001
DROP = "<left out>"


BAD_ATTRIBUTES: list[tuple[dict[str, Any], str, str]] = [
    *[
        ({name: DROP}, name, "field required")
        for name in (
            "kind",
            "name",
            "country_code",
            "phone_type",
            "voicemail_greeting",
            "paging_targets",
        )
    ],
    ({"kind": "Voicemail"}, "kind", "'voicemail' or 'live'"),
    ({"country_code": "us"}, "country_code", "'AU'"),
    ({"country_code": "FR"}, "country_code", "'AU'"),
    ({"phone_type": "Local"}, "phone_type", "'toll_free'"),
    (
        {"paging_targets": [{"id": UNKNOWN, "type": "Service"}]},
        "paging_targets[0].type",
        "'service'",
    ),
    (
        {"paging_targets": [{"id": UNKNOWN, "type": "group"}]},
        "paging_targets[0].type",
        "'team'",
    ),
    ({"paging_targets": [{"id": UNKNOWN}]}, "paging_targets[0].type", "field required"),
    ({"paging_targets": [{"type": "team"}]}, "paging_targets[0].id", "field required"),
    ({"paging_targets": [{"id": "abc", "type": "team"}]}, "paging_targets[0].id", "UUID"),
    ({"paging_targets": []}, "paging_targets", "at least 1"),
    ({"paging_targets": [{"id": UNKNOWN, "type": "team"}] * 10}, "paging_targets", "at most 9"),
    (
        {"escalation_policy_trigger_params": {"id": UNKNOWN, "type": "SERVICE"}},
        "escalation_policy_trigger_params.type",
        "'Service'",
    ),
    ({"slug": "my-slug"}, "slug", "unknown field"),
    ({"phone": "+14155550100"}, "phone", "unknown field"),
    (
        {"paging_targets": [{"id": UNKNOWN, "type": "team", "name": "x"}]},
        "paging_targets[0].name",
        "unknown field",
    ),
    ({"sent_to_voicemail_delay": 5}, "sent_to_voicemail_delay", "greater than or equal to 10"),
    (
        {"sent_to_voicemail_delay": 3601},
        "sent_to_voicemail_delay",
        "less than or equal to 3600",
    ),
    ({"sent_to_voicemail_delay": "30"}, "sent_to_voicemail_delay", "valid integer"),
    ({"sent_to_voicemail_delay": 30.5}, "sent_to_voicemail_delay", "valid integer"),
    (
        {"escalation_level_delay_in_seconds": -1},
        "escalation_level_delay_in_seconds",
        "greater than or equal to 0",
    ),
    (
        {"escalation_level_delay_in_seconds": True},
        "escalation_level_delay_in_seconds",
        "valid integer",
    ),
    (
        {"unavailable_responder_message": "x" * 301},
        "unavailable_responder_message",
        "at most 300",
    ),
    (
        {"informational_notification_message": "x" * 161},
        "informational_notification_message",
        "at most 160",
    ),
    (
        {"informational_notification_message": "Call {{ alert.url }}"},
        "informational_notification_message",
        "no SMS or push",
    ),
    ({"notify_via_sms": True}, "notify_via_sms", "does not send SMS"),
    (
        {"notify_via_push_notification": True},
        "notify_via_push_notification",
        "does not send SMS",
    ),
    ({"voicemail_greeting": LONG}, "voicemail_greeting", "at most 2000"),
    ({"voicemail_greeting": ""}, "voicemail_greeting", "at least 1"),
    ({"caller_greeting": "   "}, "caller_greeting", "at least 1"),
    ({"waiting_music_url": "https://example.com/music.mp3"}, "waiting_music_url", "approved"),
    ({"waiting_music_url": rs.MUSIC + "clockworkwaltz.mp3"}, "waiting_music_url", "approved"),
    ({"enabled": "true"}, "enabled", "valid boolean"),
    ({"name": 5}, "name", "valid string"),
    ({"name": ""}, "name", "at least 1"),
    (
        {"should_redirect_to_voicemail_on_no_answer": None},
        "should_redirect_to_voicemail_on_no_answer",
        "cannot be null",
    ),
    ({"phone_number": "12345"}, "phone_number", "not a valid phone number"),
    ({"phone_number": "+442071838750"}, "phone_number", "not a number of US"),
    ({"alert_urgency_id": UNKNOWN}, "alert_urgency_id", "no alert urgency"),
    ({"calling_tree_enabled": "yes"}, "calling_tree_enabled", "valid boolean"),
]


async def test_bad_attributes_are_refused_naming_them(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    """Missing required attributes, wrong enum case, unknown attributes, wrong types,
    numbers out of range, texts too long: a 422 naming the attribute, nothing created."""
    d = await rs.directory(client, tenant)
    for change, field, words in BAD_ATTRIBUTES:
        attributes = {k: v for k, v in {**rs.minimal(d), **change}.items() if v != DROP}
        response = await client.post(BASE, json=rs.document(attributes), headers=rs.headers(tenant))
        found = rs.errors(response, 422)
        assert found[0]["code"] == "validation_error"
        assert found[0]["title"] == "Unprocessable Entity"
        detail = found[0]["detail"]
        assert detail.startswith(f"data.attributes.{field}: "), (change, detail)
        assert words in detail, (change, detail)
    assert (await client.get(BASE, headers=rs.headers(tenant))).json()["data"] == []


async def test_paging_rules_name_what_is_missing(client: httpx.AsyncClient, tenant: Tenant) -> None:
    d = await rs.directory(client, tenant)
    two = [d.target("service"), d.target("team")]
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"paging_targets": two}, "calling_tree_prompt", "more than one paging target"),
        ({"calling_tree_enabled": True}, "calling_tree_prompt", "calling_tree_enabled"),
        (
            {"paging_targets": [d.target("team", None)]},
            "paging_targets[0].alert_urgency_id",
            "unless the router has an alert_urgency_id",
        ),
        (
            {
                "paging_targets": [
                    {"id": d.team["id"], "type": "service", "alert_urgency_id": d.urgencies["high"]}
                ]
            },
            "paging_targets[0].id",
            "no service",
        ),
        (
            {"paging_targets": [{**d.target("functionality"), "type": "service"}]},
            "paging_targets[0].id",
            "no service",
        ),
        (
            {"paging_targets": [{**d.target("service"), "type": "functionality"}]},
            "paging_targets[0].id",
            "no functionality",
        ),
        (
            {
                "paging_targets": [d.target("service")],
                "escalation_policy_trigger_params": {"id": d.team["id"], "type": "group"},
            },
            "escalation_policy_trigger_params",
            "first paging target",
        ),
    ]
    for change, field, words in cases:
        response = await client.post(
            BASE, json=rs.document(rs.minimal(d, **change)), headers=rs.headers(tenant)
        )
        detail = rs.errors(response, 422)[0]["detail"]
        assert detail.startswith(f"data.attributes.{field}: "), detail
        assert words in detail, detail


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 422, "data"),
        ({"data": []}, 422, "data"),
        ({"data": {"attributes": {}}}, 422, "data.type"),
        ({"data": {"type": "live_call_routers"}}, 422, "data.attributes"),
        ({"data": {"type": "incidents", "attributes": {}}}, 409, "data.type"),
        ({"data": {"type": "live_call_routers", "id": UNKNOWN, "attributes": {}}}, 422, "data.id"),
        (
            {"data": {"type": "live_call_routers", "attributes": {}, "relationships": {}}},
            422,
            "data.relationships",
        ),
        ({"data": {"type": "live_call_routers", "attributes": []}}, 422, "data.attributes"),
        ([1, 2], 422, "data"),
    ],
)
async def test_the_envelope_is_checked(
    client: httpx.AsyncClient, tenant: Tenant, body: Any, status: int, field: str
) -> None:
    response = await client.post(BASE, json=body, headers=rs.headers(tenant))
    details = [e["detail"] for e in rs.errors(response, status)]
    assert any(d.startswith(f"{field}: ") for d in details), details


async def test_several_bad_attributes_give_one_error_each(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.post(
        BASE,
        json=rs.document({"kind": "Live", "name": 3, "country_code": "XX"}),
        headers=rs.headers(tenant),
    )
    found = rs.errors(response, 422)
    fields = [e["detail"].split(":")[0] for e in found]
    for name in ("kind", "name", "country_code", "phone_type", "voicemail_greeting"):
        assert f"data.attributes.{name}" in fields


async def test_update_refuses_what_cannot_change(client: httpx.AsyncClient, tenant: Tenant) -> None:
    d = await rs.directory(client, tenant)
    created = await rs.create(client, tenant, rs.minimal(d))
    url = f"{BASE}/{created['id']}"
    cases: list[tuple[Any, int, str]] = [
        (rs.document({"phone_number": "+14155550100"}), 422, "data.attributes.phone_number"),
        (rs.document({"phone_number": None}), 422, "data.attributes.phone_number"),
        (rs.document({"country_code": "GB"}), 422, "data.attributes.country_code"),
        (rs.document({"phone_type": "mobile"}), 422, "data.attributes.phone_type"),
        (rs.document({"name": None}), 422, "data.attributes.name"),
        (rs.document({"kind": None}), 422, "data.attributes.kind"),
        (rs.document({"paging_targets": None}), 422, "data.attributes.paging_targets"),
        (
            rs.document(
                {"kind": "live", "paging_targets": [d.target("team"), d.target("service")]}
            ),
            422,
            "data.attributes.calling_tree_prompt",
        ),
        (
            rs.document({"alert_urgency_id": None, "paging_targets": [d.target("team", None)]}),
            422,
            "data.attributes.paging_targets[0].alert_urgency_id",
        ),
        (rs.document({"name": "x"}, id=UNKNOWN), 409, "data.id"),
        ({"data": {"type": "services", "attributes": {}}}, 409, "data.type"),
        ({"data": {"type": "live_call_routers"}}, 422, "data.attributes"),
    ]
    for body, status, field in cases:
        response = await client.put(url, json=body, headers=rs.headers(tenant))
        detail = rs.errors(response, status)[0]["detail"]
        assert detail.startswith(f"{field}: "), detail
    assert (await rs.fetch(client, tenant, created["id"])) == created
    # The same country and type, or the router's own id in the body, are fine.
    same = rs.document({"country_code": "US", "phone_type": "local"}, id=created["id"])
    response = await client.put(url, json=same, headers=rs.headers(tenant))
    assert response.status_code == 200, response.text


async def test_conflicts_are_409s(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    d = await rs.directory(client, tenant)
    created = await rs.create(client, tenant, rs.minimal(d))
    number = created["attributes"]["phone_number"]
    cases = [
        (rs.minimal(d), "already has the slug 'support-hotline'"),  # the same name
        (rs.minimal(d, name="Other", phone_number=number), "is already routed by router"),
    ]
    for attributes, words in cases:
        response = await client.post(BASE, json=rs.document(attributes), headers=rs.headers(tenant))
        error = rs.errors(response, 409)[0]
        assert (error["title"], error["code"]) == ("Conflict", "conflict")
        assert words in error["detail"], error
    other = await rs.directory(client, other_tenant)
    taken = await client.post(
        BASE,
        json=rs.document(rs.minimal(other, phone_number=number)),
        headers=rs.headers(other_tenant),
    )
    assert "already in use" in rs.errors(taken, 409)[0]["detail"]


async def test_generate_phone_number_checks_its_query(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    url = f"{BASE}/generate_phone_number"
    cases: list[tuple[dict[str, str], str]] = [
        ({"phone_type": "local"}, "country_code: field required"),
        ({"country_code": "US"}, "phone_type: field required"),
        ({"country_code": "us", "phone_type": "local"}, "country_code: Input should be 'AU'"),
        ({"country_code": "US", "phone_type": "landline"}, "phone_type: Input should be"),
        ({"country_code": "US", "phone_type": "local", "area": "415"}, "area: unknown field"),
        ({"country_code": "US", "phone_type": "local"}, "no enabled provider connection"),
    ]
    for params, words in cases:
        response = await client.get(url, params=params, headers=rs.headers(tenant))
        detail = rs.errors(response, 422)[0]["detail"]
        assert words in detail, detail


async def test_rate_limited_requests_get_rootlys_429(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    ctx.rate_limiter = RateLimiter(1)
    assert (await client.get(BASE, headers=rs.headers(tenant))).status_code == 200
    limited = await client.get(BASE, headers=rs.headers(tenant))
    assert limited.status_code == 429
    assert limited.json() == {"error": "Rate limit exceeded. Try again later."}
    assert int(limited.headers["retry-after"]) >= 1


async def test_an_unexpected_failure_is_a_500_in_rootlys_shape(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    d = await rs.directory(client, tenant)
    created = await rs.create(client, tenant, rs.minimal(d))
    async with ctx.db.unit_of_work() as session:  # a router document no code could write
        await session.execute(
            update(Router)
            .where(Router.id == uuid.UUID(created["id"]))
            .values(config={"menu": "broken"})
        )
    response = await client.get(f"{BASE}/{created['id']}", headers=rs.headers(tenant))
    error = rs.errors(response, 500)[0]
    assert (error["title"], error["code"]) == ("Internal Server Error", "internal_error")
    assert "X-Request-ID" in error["detail"]
    assert response.headers["x-request-id"]
