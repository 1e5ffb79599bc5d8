"""Conformance of /api/v2/voicelink/call-routing: the documented example replayed, every
validation rule of the reference, ids of other projects, connections, replace semantics, keys
that may only read, and the same routing seen through the native API."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from callroute.app import create_app
from callroute.app_context import AppContext
from callroute.auth.permissions import Role
from tests import factories
from tests.compat import voicelink_setup as vl
from tests.compat.voicelink_setup import MOBILE, URL, Partner
from tests.conftest import Tenant, make_key

JSON = dict[str, Any]


@pytest.fixture
async def p(client: httpx.AsyncClient, ctx: AppContext, tenant: Tenant) -> Partner:
    return await vl.partner(client, ctx, tenant)


def assert_error(response: httpx.Response, status: int, code: str, field: str | None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    assert body["error"].get("field") == field


async def routers(client: httpx.AsyncClient, p: Partner) -> list[JSON]:
    data: list[JSON] = (await client.get("/api/v1/routers", headers=p.headers)).json()["data"]
    return data


# --- the documented example --------------------------------------------------------------


async def test_the_documented_example(client: httpx.AsyncClient, p: Partner) -> None:
    response = await client.post(
        URL,
        json=vl.example_request(),
        headers={"Authorization": f"Bearer {p.tenant.key}", "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"success", "data"}
    assert body["success"] is True
    data = body["data"]
    assert isinstance(data, dict)
    assert {k: data[k] for k in vl.example_request()} == vl.example_request()
    assert data["did_number"] == p.did["number"]
    assert data["inbound_websocket_bot_id"] is None
    assert data["mobile_number"] is None  # mode 1 with no number: the DID owner's phones

    native = (await client.get(f"/api/v1/routers/{data['router_id']}", headers=p.headers)).json()
    assert native["handle"] == data["id"]
    assert native["enabled"] is True
    assert native["phone_numbers"] == [{"id": p.did["id"], "number": p.did["number"]}]
    assert native["action"]["type"] == "ring"
    assert native["action"]["target"] == {"type": "member", "id": p.owner["id"]}
    assert native["outbound"]["mode"] == "bot"
    assert native["outbound"]["bot_id"] == p.bot["id"]
    number = (await client.get(f"/api/v1/numbers/{p.did['id']}", headers=p.headers)).json()
    assert number["router_id"] == data["router_id"]

    read = await client.get(f"{URL}/{data['id']}", headers=p.headers)
    assert read.json() == body


async def test_status_defaults_to_active_and_did_number_finds_the_did(
    client: httpx.AsyncClient, p: Partner
) -> None:
    national = p.spare["number"].lstrip("+")  # VoiceLink shows DIDs with or without "+"
    data = await vl.create(
        client,
        p,
        {
            "did_number": national,
            "for_inbound_call": 2,
            "inbound_sip_trunk_id": p.trunk["handle"],
            "for_outbound_call": 4,
            "connectionId": p.connection_id,
        },
    )
    assert data["status"] == 1
    assert (data["did_id"], data["did_number"]) == (p.spare["handle"], p.spare["number"])
    assert (data["for_inbound_call"], data["inbound_sip_trunk_id"]) == (2, p.trunk["handle"])
    assert (data["for_outbound_call"], data["outbound_sip_trunk_id"]) == (4, None)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"for_inbound_call": 1, "mobile_number": "+44 7911 123456", "for_outbound_call": 4},
            {"for_inbound_call": 1, "mobile_number": MOBILE, "for_outbound_call": 4},
        ),
        (
            {"for_inbound_call": 3, "inbound_websocket_bot_id": "bot", "for_outbound_call": 2},
            {
                "for_inbound_call": 3,
                "inbound_websocket_bot_id": "bot",
                "for_outbound_call": 2,
                "outbound_sip_trunk_id": "trunk",
            },
        ),
        (
            {"for_inbound_call": 2, "inbound_sip_trunk_id": "trunk", "for_outbound_call": 3},
            {
                "for_inbound_call": 2,
                "inbound_sip_trunk_id": "trunk",
                "for_outbound_call": 3,
                "outbound_websocket_bot_id": "bot",
            },
        ),
    ],
)
async def test_every_mode_reads_back_as_written(
    client: httpx.AsyncClient, p: Partner, body: JSON, expected: JSON
) -> None:
    ids = {"bot": p.bot["handle"], "trunk": p.trunk["handle"]}
    fill = {
        "outbound_sip_trunk_id": "trunk",
        "outbound_websocket_bot_id": "bot",
    }
    request = {"did_id": p.spare["handle"], "status": 0, **body}
    for field, kind in fill.items():
        if field in expected and field not in request:
            request[field] = kind
    request = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in request.items()}
    data = await vl.create(client, p, request)
    want = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in expected.items()}
    assert {k: data[k] for k in want} == want
    assert data["status"] == 0
    empty = {
        "inbound_websocket_bot_id",
        "inbound_sip_trunk_id",
        "outbound_websocket_bot_id",
        "outbound_sip_trunk_id",
        "mobile_number",
    } - set(want)
    assert all(data[k] is None for k in empty)
    native = (await client.get(f"/api/v1/routers/{data['router_id']}", headers=p.headers)).json()
    assert native["enabled"] is False


# --- validation: 400 VALIDATION_ERROR naming the field ------------------------------------

BASE: JSON = {"did_id": 812, "for_inbound_call": 1, "for_outbound_call": 4}
DROP = object()


def variant(**changes: Any) -> JSON:
    body = {**BASE, **changes}
    return {k: v for k, v in body.items() if v is not DROP}


INVALID = {
    "did_id zero": (variant(did_id=0), "did_id"),
    "did_id negative": (variant(did_id=-812), "did_id"),
    "did_id fraction": (variant(did_id=812.5), "did_id"),
    "did_id float": (variant(did_id=812.0), "did_id"),
    "did_id string": (variant(did_id="812"), "did_id"),
    "did_id boolean": (variant(did_id=True), "did_id"),
    "did_id beyond any id": (variant(did_id=2**31), "did_id"),
    "no DID": (variant(did_id=DROP), "did_id"),
    "both DID fields": (variant(did_number="+12015550100"), "did_number"),
    "did_number not a number": (variant(did_id=DROP, did_number="front desk"), "did_number"),
    "did_number as integer": (variant(did_id=DROP, did_number=12015550100), "did_number"),
    "inbound missing": (variant(for_inbound_call=DROP), "for_inbound_call"),
    "inbound 4": (variant(for_inbound_call=4), "for_inbound_call"),
    "inbound 0": (variant(for_inbound_call=0), "for_inbound_call"),
    "inbound negative": (variant(for_inbound_call=-1), "for_inbound_call"),
    "inbound string": (variant(for_inbound_call="1"), "for_inbound_call"),
    "inbound boolean": (variant(for_inbound_call=True), "for_inbound_call"),
    "inbound null": (variant(for_inbound_call=None), "for_inbound_call"),
    "outbound missing": (variant(for_outbound_call=DROP), "for_outbound_call"),
    "outbound 1": (variant(for_outbound_call=1), "for_outbound_call"),
    "outbound 5": (variant(for_outbound_call=5), "for_outbound_call"),
    "outbound float": (variant(for_outbound_call=4.0), "for_outbound_call"),
    "status 2": (variant(status=2), "status"),
    "status boolean": (variant(status=False), "status"),
    "status string": (variant(status="1"), "status"),
    "SIP inbound without its trunk": (variant(for_inbound_call=2), "inbound_sip_trunk_id"),
    "bot inbound without its bot": (variant(for_inbound_call=3), "inbound_websocket_bot_id"),
    "SIP outbound without its trunk": (variant(for_outbound_call=2), "outbound_sip_trunk_id"),
    "bot outbound without its bot": (variant(for_outbound_call=3), "outbound_websocket_bot_id"),
    "trunk sent for mobile": (variant(inbound_sip_trunk_id=1), "inbound_sip_trunk_id"),
    "bot sent for SIP": (
        variant(for_inbound_call=2, inbound_sip_trunk_id=1, inbound_websocket_bot_id=93),
        "inbound_websocket_bot_id",
    ),
    "bot sent for only-answer": (
        variant(outbound_websocket_bot_id=93),
        "outbound_websocket_bot_id",
    ),
    "trunk sent for a bot": (
        variant(for_outbound_call=3, outbound_websocket_bot_id=93, outbound_sip_trunk_id=1),
        "outbound_sip_trunk_id",
    ),
    "bot id zero": (
        variant(for_inbound_call=3, inbound_websocket_bot_id=0),
        "inbound_websocket_bot_id",
    ),
    "trunk id negative": (
        variant(for_outbound_call=2, outbound_sip_trunk_id=-1),
        "outbound_sip_trunk_id",
    ),
    "trunk id string": (
        variant(for_inbound_call=2, inbound_sip_trunk_id="1"),
        "inbound_sip_trunk_id",
    ),
    "bot id boolean": (
        variant(for_outbound_call=3, outbound_websocket_bot_id=True),
        "outbound_websocket_bot_id",
    ),
    "unknown field": (variant(did=812), "did"),
    "camelCase mode": (variant(forInboundCall=1), "forInboundCall"),
    "connection_id not a uuid": (variant(connection_id="connection-1"), "connection_id"),
    "connectionId not a string": (variant(connectionId=123), "connectionId"),
    "two different connections": (
        variant(connection_id=str(uuid.uuid4()), connectionId=str(uuid.uuid4())),
        "connectionId",
    ),
    "mobile number not E.164": (variant(mobile_number="12345"), "mobile_number"),
    "mobile number for a bot": (
        variant(for_inbound_call=3, inbound_websocket_bot_id=93, mobile_number=MOBILE),
        "mobile_number",
    ),
}


async def test_invalid_requests_are_400_validation_errors_naming_the_field(
    client: httpx.AsyncClient, p: Partner
) -> None:
    # One project for every case (setting one up per case would dominate the run time).
    for case, (body, field) in INVALID.items():
        response = await client.post(URL, json=body, headers=p.headers)
        assert response.status_code == 400, (case, response.text)
        assert response.json()["error"]["field"] == field, (case, response.text)
        assert_error(response, 400, "VALIDATION_ERROR", field)
    assert await routers(client, p) == []
    messages = {
        case: (await client.post(URL, json=INVALID[case][0], headers=p.headers)).json()
        for case in ("did_id zero", "inbound 4", "SIP inbound without its trunk", "unknown field")
    }
    assert [m["error"]["message"] for m in messages.values()] == [
        "did_id: Input should be greater than or equal to 1",
        "for_inbound_call: must be one of 1 (mobile), 2 (SIP), 3 (WebSocket bot)",
        "inbound_sip_trunk_id: field required when for_inbound_call is 2",
        "did: unknown field",
    ]


async def test_mode_one_needs_a_mobile_number_or_an_owned_did(
    client: httpx.AsyncClient, p: Partner
) -> None:
    body = {"did_id": p.spare["handle"], "for_inbound_call": 1, "for_outbound_call": 4}
    response = await client.post(URL, json=body, headers=p.headers)
    assert_error(response, 400, "VALIDATION_ERROR", "mobile_number")
    assert "owner" in response.json()["error"]["message"]
    await client.patch(
        f"/api/v1/numbers/{p.spare['id']}", json={"owner_id": p.owner["id"]}, headers=p.headers
    )
    assert (await client.post(URL, json=body, headers=p.headers)).status_code == 200


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"did_id": 812,', "application/json"),
        (b"[]", "application/json"),
        (b"", "application/json"),
        (b"null", "application/json"),
    ],
)
async def test_bodies_that_are_not_a_json_object_are_400(
    client: httpx.AsyncClient, p: Partner, content: bytes, content_type: str
) -> None:
    headers = {**p.headers, "Content-Type": content_type}
    response = await client.post(URL, content=content, headers=headers)
    assert_error(response, 400, "VALIDATION_ERROR", "body")


async def test_a_body_that_is_not_json_is_refused_in_voicelink_shape(
    client: httpx.AsyncClient, p: Partner
) -> None:
    headers = {**p.headers, "Content-Type": "text/plain"}
    response = await client.post(URL, content=b"did_id=812", headers=headers)
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE", "body")


async def test_routing_ids_in_the_path_are_validated_strictly(
    client: httpx.AsyncClient, p: Partner
) -> None:
    created = await vl.create(client, p, vl.example_request())
    body = {"for_inbound_call": 1, "for_outbound_call": 4, "status": 0}
    for routing_id in ("0", "-1", "abc", "1.5", "1e3", "true", "01", " 1"):
        replace = await client.post(f"{URL}/{routing_id}", json=body, headers=p.headers)
        assert_error(replace, 400, "VALIDATION_ERROR", "routing_id")
        read = await client.get(f"{URL}/{routing_id}", headers=p.headers)
        assert_error(read, 400, "VALIDATION_ERROR", "routing_id")
    huge = await client.get(f"{URL}/{2**31}", headers=p.headers)
    assert_error(huge, 404, "NOT_FOUND", "routing_id")
    assert (await client.get(f"{URL}/{created['id']}", headers=p.headers)).json()["data"] == created


# --- ids that name nothing of the caller's: 404 -------------------------------------------


async def test_ids_of_another_project_are_404_naming_the_field(
    client: httpx.AsyncClient, ctx: AppContext, p: Partner, other_tenant: Tenant
) -> None:
    other = await vl.partner(client, ctx, other_tenant, connection_id=None)
    foreign_did = await factories.post(
        client,
        other_tenant,
        "numbers",
        {"connection_id": other.connection_id, "country": "US"},
    )
    # The other project has handles our project has not (813 and up), and the same ones
    # (812, 93): neither ever reaches the other project's rows.
    other_bot = await factories.post(
        client, other_tenant, "bots", {"name": "B2", "websocket_url": "wss://b.example.com"}
    )
    cases = [
        (variant(did_id=foreign_did["handle"]), "did_id"),
        (variant(did_id=DROP, did_number=other.did["number"]), "did_number"),
        (
            variant(for_inbound_call=3, inbound_websocket_bot_id=other_bot["handle"]),
            "inbound_websocket_bot_id",
        ),
        (
            variant(for_outbound_call=3, outbound_websocket_bot_id=other_bot["handle"]),
            "outbound_websocket_bot_id",
        ),
        (variant(for_inbound_call=2, inbound_sip_trunk_id=2), "inbound_sip_trunk_id"),
        (variant(for_outbound_call=2, outbound_sip_trunk_id=9), "outbound_sip_trunk_id"),
        (variant(connection_id=other.connection_id), "connection_id"),
        (variant(connectionId=other.connection_id), "connectionId"),
        (variant(did_id=999_999), "did_id"),
    ]
    for body, field in cases:
        response = await client.post(URL, json=body, headers=p.headers)
        assert_error(response, 404, "NOT_FOUND", field)
        assert "other" not in response.text.lower()
    assert await routers(client, p) == []

    theirs = await vl.create(
        client, other, vl.example_request() | {"connection_id": other.connection_id}
    )
    body = {"for_inbound_call": 1, "for_outbound_call": 4, "status": 0}
    replace = await client.post(f"{URL}/{theirs['id']}", json=body, headers=p.headers)
    assert_error(replace, 404, "NOT_FOUND", "routing_id")
    read = await client.get(f"{URL}/{theirs['id']}", headers=p.headers)
    assert_error(read, 404, "NOT_FOUND", "routing_id")
    unchanged = await client.get(f"{URL}/{theirs['id']}", headers=other.headers)
    assert unchanged.json()["data"] == theirs


async def test_every_routing_route_with_an_id_is_isolated(
    client: httpx.AsyncClient, ctx: AppContext, p: Partner, other_tenant: Tenant
) -> None:
    """Discovered from the app: a route added later without isolation fails here."""
    theirs = await vl.partner(client, ctx, other_tenant, connection_id=None)
    routing = await vl.create(
        client, theirs, vl.example_request() | {"connection_id": theirs.connection_id}
    )
    paths = create_app(ctx=ctx).openapi()["paths"]
    routes = [
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/api/v2/voicelink") and "{" in path
        for method in operations
    ]
    assert sorted(routes) == [
        ("GET", "/api/v2/voicelink/call-routing/{routing_id}"),
        ("POST", "/api/v2/voicelink/call-routing/{routing_id}"),
    ]
    for method, path in routes:
        url = path.replace("{routing_id}", str(routing["id"]))
        body = {"for_inbound_call": 1, "for_outbound_call": 4, "status": 0}
        response = await client.request(method, url, json=body, headers=p.headers)
        assert_error(response, 404, "NOT_FOUND", "routing_id")
    after = await client.get(f"{URL}/{routing['id']}", headers=theirs.headers)
    assert after.json()["data"] == routing


async def test_a_did_already_routed_is_a_conflict(client: httpx.AsyncClient, p: Partner) -> None:
    first = await vl.create(client, p, vl.example_request())
    again = await client.post(URL, json=vl.example_request(), headers=p.headers)
    assert_error(again, 409, "CONFLICT", "did_id")
    message = again.json()["error"]["message"]  # the router service's, naming VoiceLink's field
    assert message == (
        f"did_id: {first['did_number']} is already routed by router {first['router_id']}"
    )
    assert len(await routers(client, p)) == 1


# --- connections ----------------------------------------------------------------------------


async def test_connection_is_required_only_with_several_active_connections(
    client: httpx.AsyncClient, p: Partner
) -> None:
    body = {
        "did_id": p.spare["handle"],
        "for_inbound_call": 1,
        "mobile_number": MOBILE,
        "for_outbound_call": 4,
    }
    second = await factories.post(
        client, p.tenant, "connections", {"name": "Backup", "kind": "simulator", "enabled": False}
    )
    assert (await client.post(URL, json=body, headers=p.headers)).status_code == 200  # one active

    await client.patch(
        f"/api/v1/connections/{second['id']}", json={"enabled": True}, headers=p.headers
    )
    body["did_id"] = p.did["handle"]
    missing = await client.post(URL, json=body, headers=p.headers)
    assert_error(missing, 400, "VALIDATION_ERROR", "connection_id")
    assert "2 active connections" in missing.json()["error"]["message"]

    wrong = await client.post(URL, json=body | {"connection_id": second["id"]}, headers=p.headers)
    assert_error(wrong, 404, "NOT_FOUND", "did_id")  # DID 812 is not on that connection
    legacy = await client.post(
        URL, json=body | {"connectionId": p.connection_id}, headers=p.headers
    )
    assert legacy.status_code == 200, legacy.text
    assert legacy.json()["data"]["connection_id"] == p.connection_id

    routing_id = legacy.json()["data"]["id"]
    by_query = await client.get(
        f"{URL}/{routing_id}", params={"connection_id": second["id"]}, headers=p.headers
    )
    assert_error(by_query, 404, "NOT_FOUND", "routing_id")
    right = await client.get(
        f"{URL}/{routing_id}", params={"connectionId": p.connection_id}, headers=p.headers
    )
    assert right.status_code == 200


# --- replace --------------------------------------------------------------------------------


async def test_replace_rewrites_every_field_and_drops_what_is_not_resent(
    client: httpx.AsyncClient, p: Partner
) -> None:
    created = await vl.create(
        client,
        p,
        {
            "did_id": 812,
            "for_inbound_call": 2,
            "inbound_sip_trunk_id": p.trunk["handle"],
            "for_outbound_call": 2,
            "outbound_sip_trunk_id": p.trunk["handle"],
        },
    )
    replaced = await client.post(
        f"{URL}/{created['id']}",
        json={
            "for_inbound_call": 3,
            "inbound_websocket_bot_id": 93,
            "for_outbound_call": 4,
            "status": 0,
        },
        headers=p.headers,
    )
    assert replaced.status_code == 200, replaced.text
    data = replaced.json()["data"]
    assert data["id"] == created["id"]
    assert data["did_id"] == 812  # kept: no DID was sent
    assert (data["for_inbound_call"], data["inbound_websocket_bot_id"]) == (3, 93)
    assert (data["inbound_sip_trunk_id"], data["outbound_sip_trunk_id"]) == (None, None)
    assert (data["for_outbound_call"], data["status"]) == (4, 0)
    native = (await client.get(f"/api/v1/routers/{data['router_id']}", headers=p.headers)).json()
    assert native["action"]["type"] == "bot"
    assert native["outbound"]["mode"] == "answer_only"
    assert native["enabled"] is False
    assert (await client.get(f"{URL}/{created['id']}", headers=p.headers)).json()["data"] == data


@pytest.mark.parametrize("missing", ["for_inbound_call", "for_outbound_call", "status"])
async def test_replace_requires_modes_and_status(
    client: httpx.AsyncClient, p: Partner, missing: str
) -> None:
    created = await vl.create(client, p, vl.example_request())
    body = {"for_inbound_call": 1, "for_outbound_call": 4, "status": 1}
    del body[missing]
    response = await client.post(f"{URL}/{created['id']}", json=body, headers=p.headers)
    assert_error(response, 400, "VALIDATION_ERROR", missing)
    read = await client.get(f"{URL}/{created['id']}", headers=p.headers)
    assert read.json()["data"] == created


async def test_replace_can_move_the_routing_to_another_did(
    client: httpx.AsyncClient, p: Partner
) -> None:
    created = await vl.create(client, p, vl.example_request())
    moved = await client.post(
        f"{URL}/{created['id']}",
        json={
            "did_number": p.spare["number"],
            "for_inbound_call": 1,
            "mobile_number": MOBILE,
            "for_outbound_call": 4,
            "status": 1,
        },
        headers=p.headers,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["data"]["did_id"] == p.spare["handle"]
    old = (await client.get(f"/api/v1/numbers/{p.did['id']}", headers=p.headers)).json()
    assert old["router_id"] is None
    # The freed DID can get a routing of its own; moving back onto it is then a conflict.
    other = await vl.create(client, p, vl.example_request())
    back = await client.post(
        f"{URL}/{created['id']}",
        json={"did_id": 812, "for_inbound_call": 1, "for_outbound_call": 4, "status": 1},
        headers=p.headers,
    )
    assert_error(back, 409, "CONFLICT", "did_id")
    assert other["did_id"] == 812


async def test_native_routers_are_routings_when_they_route_one_did(
    client: httpx.AsyncClient, p: Partner
) -> None:
    h = p.headers
    menu_router = await factories.post(
        client,
        p.tenant,
        "routers",
        {
            "name": "Front desk",
            "phone_number_ids": [p.did["id"]],
            "menu": {
                "prompt": {"text": "Press 1."},
                "options": [{"digit": "1", "action": {"type": "voicemail"}}],
            },
        },
    )
    seen = (await client.get(f"{URL}/{menu_router['handle']}", headers=h)).json()["data"]
    assert (seen["for_inbound_call"], seen["for_outbound_call"]) == (None, None)
    assert seen["router_id"] == menu_router["id"]
    replaced = await client.post(
        f"{URL}/{menu_router['handle']}",
        json={"for_inbound_call": 1, "mobile_number": MOBILE, "for_outbound_call": 4, "status": 1},
        headers=h,
    )
    assert replaced.status_code == 200, replaced.text
    native = (await client.get(f"/api/v1/routers/{menu_router['id']}", headers=h)).json()
    assert native["menu"] is None
    assert native["action"]["number"] == MOBILE
    assert native["name"] == "Front desk"

    await client.patch(
        f"/api/v1/routers/{menu_router['id']}",
        json={"phone_number_ids": [p.did["id"], p.spare["id"]]},
        headers=h,
    )
    two = await client.get(f"{URL}/{menu_router['handle']}", headers=h)
    assert_error(two, 404, "NOT_FOUND", "routing_id")
    assert "routes 2 numbers" in two.json()["error"]["message"]


# --- keys -------------------------------------------------------------------------------------


async def test_a_read_only_key_reads_and_is_refused_writes(
    client: httpx.AsyncClient, ctx: AppContext, p: Partner
) -> None:
    created = await vl.create(client, p, vl.example_request())
    viewer = {"Authorization": f"Bearer {await make_key(ctx, p.tenant, role=Role.VIEWER)}"}
    read = await client.get(f"{URL}/{created['id']}", headers=viewer)
    assert read.status_code == 200
    assert read.json() == {"success": True, "data": created}
    body = {
        "did_id": p.spare["handle"],
        "for_inbound_call": 1,
        "mobile_number": MOBILE,
        "for_outbound_call": 4,
    }
    assert_error(await client.post(URL, json=body, headers=viewer), 403, "FORBIDDEN", None)
    replace = await client.post(f"{URL}/{created['id']}", json=body | {"status": 0}, headers=viewer)
    assert_error(replace, 403, "FORBIDDEN", None)
    assert (await client.get(f"{URL}/{created['id']}", headers=p.headers)).json()["data"] == created
    assert len(await routers(client, p)) == 1


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer rg_live_xxxx"}, {"Authorization": "Basic dXNlcjpwYXNz"}],
)
async def test_missing_or_invalid_keys_are_401(
    client: httpx.AsyncClient, p: Partner, headers: dict[str, str]
) -> None:
    response = await client.post(URL, json=vl.example_request(), headers=headers)
    assert_error(response, 401, "UNAUTHORIZED", None)


async def test_unknown_endpoints_and_methods_answer_in_voicelink_shape(
    client: httpx.AsyncClient, p: Partner
) -> None:
    assert_error(
        await client.get("/api/v2/voicelink/clients", headers=p.headers), 404, "NOT_FOUND", None
    )
    assert_error(
        await client.delete(f"{URL}/1", headers=p.headers), 405, "METHOD_NOT_ALLOWED", None
    )
    assert_error(await client.get(f"{URL}/4242", headers=p.headers), 404, "NOT_FOUND", "routing_id")
