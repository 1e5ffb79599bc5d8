"""vcita voice calls (`/v3/communication/voice_calls`): the example of vcita's API reference
replayed, the envelope, create / get / update / transcript, every error case in vcita's shape,
read-only keys and other businesses, on both databases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from callroute.app_context import AppContext
from callroute.auth.permissions import Role
from tests import callsetup, factories
from tests.conftest import Tenant, make_key

JSON = dict[str, Any]
BASE = "/v3/communication/voice_calls"
# vcita's example uses one placeholder uid for the staff member, client and business.
PLACEHOLDER = "d290f1ee-6c54-4b01-90e6-d701748f0851"
EXAMPLE: JSON = {
    "staff_uid": PLACEHOLDER,
    "client_uid": PLACEHOLDER,
    "from_number": "+14155550148",
    "to_number": "+14155550901",
    "direction": "INBOUND",
    "status": "INCOMING_CALL",
    "rate": "0.05",
    "provider": "VONAGE",
    "source_id": "call-src-001",
    "external_uuid": "ext-call-001",
    "business_uid": PLACEHOLDER,
}
ENTITY_FIELDS = {
    "uid",
    "business_uid",
    "staff_uid",
    "client_uid",
    "from_number",
    "to_number",
    "direction",
    "status",
    "duration",
    "call_summary",
    "recording",
    "external_app_url",
    "external_app_name",
    "source_id",
    "external_uuid",
    "handled_by_staff_uid",
    "handled_at",
    "transcript_status",
    "created_at",
    "updated_at",
    "deleted_at",
    "rate",
    "price",
    "provider",
}


@dataclass
class Business:
    """A tenant seen as a vcita business: a staff member and a client of its own."""

    tenant: Tenant
    staff: JSON
    client: JSON

    @property
    def headers(self) -> dict[str, str]:
        return self.tenant.headers

    def body(self, **changes: Any) -> JSON:
        ids = {
            "staff_uid": self.staff["id"],
            "client_uid": self.client["id"],
            "business_uid": str(self.tenant.project_id),
        }
        return {**EXAMPLE, **ids, **changes}


async def business(client: httpx.AsyncClient, tenant: Tenant) -> Business:
    staff = await factories.member(client, tenant, "Sam Staff", "+14155550101")
    contact = await factories.post(
        client, tenant, "contacts", {"name": "Cleo Client", "phones": [{"number": "+14155550148"}]}
    )
    return Business(tenant, staff, contact)


async def create(client: httpx.AsyncClient, biz: Business, **changes: Any) -> JSON:
    response = await client.post(BASE, json=biz.body(**changes), headers=biz.headers)
    assert response.status_code == 200, response.text
    envelope: JSON = response.json()
    assert envelope["success"] is True
    data: JSON = envelope["data"]
    return data


def update_body(call: JSON, **changes: Any) -> JSON:
    """A full UpdateVoiceCall body built from a read VoiceCall, as a client would."""
    body = {
        name: call[name]
        for name in (
            "staff_uid",
            "client_uid",
            "from_number",
            "to_number",
            "direction",
            "status",
            "rate",
            "price",
            "source_id",
            "duration",
            "call_summary",
            "external_app_url",
            "external_app_name",
            "external_uuid",
        )
    }
    body["provider"] = "VONAGE"
    body["recording_id"] = call["recording"]["uid"] if call["recording"] else None
    return {**body, **changes}


async def put(client: httpx.AsyncClient, biz: Business, uid: str, body: JSON) -> httpx.Response:
    return await client.put(f"{BASE}/{uid}", json=body, headers=biz.headers)


def assert_error(response: httpx.Response, status: int, code: str, field: str | None) -> JSON:
    assert response.status_code == status, response.text
    body: JSON = response.json()
    assert body["success"] is False
    assert body["status"] == "Error"
    assert body["error_code"] == code, body
    assert isinstance(body["error"], str)
    assert body["error"]
    if field is not None:
        assert body["error"].startswith(field), body
        assert field in body["errors"], body
    return body


# -- vcita's example ------------------------------------------------------------------------


async def test_vcitas_example_creates_a_call_that_is_a_core_call(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    biz = await business(client, tenant)
    response = await client.post(BASE, json=biz.body(), headers=biz.headers)
    assert response.status_code == 200, response.text  # 200, as vcita's spec says, not 201
    envelope = response.json()
    assert set(envelope) == {"success", "data"}
    assert envelope["success"] is True
    call = envelope["data"]
    assert set(call) == ENTITY_FIELDS
    sent = biz.body()
    for name in (
        "staff_uid",
        "client_uid",
        "business_uid",
        "from_number",
        "to_number",
        "direction",
        "status",
        "rate",
        "provider",
        "source_id",
        "external_uuid",
    ):
        assert call[name] == sent[name], name
    assert call["created_at"] == "2026-03-02T09:00:00.000Z"
    assert call["updated_at"] == call["created_at"]
    assert call["deleted_at"] is None
    assert call["duration"] is None
    assert call["transcript_status"] is None
    assert call["recording"] is None

    # The same call in the native API: a logged call of the project.
    native = await callsetup.call(client, tenant, call["uid"])
    assert native["origin"] == "logged"
    assert native["status"] == "ringing"
    assert (native["from"], native["to"], native["direction"]) == (
        "+14155550148",
        "+14155550901",
        "inbound",
    )
    assert native["member_id"] == biz.staff["id"]
    assert native["contact_id"] == biz.client["id"]
    assert (native["provider"], native["provider_call_id"]) == ("vonage", "ext-call-001")
    assert native["rate"] == "0.05"
    assert native["external"]["source_id"] == "call-src-001"

    fetched = await client.get(f"{BASE}/{call['uid']}", headers=biz.headers)
    assert fetched.status_code == 200
    assert fetched.json() == {"success": True, "data": call}
    listed = await client.get(BASE, headers=biz.headers)
    assert listed.json() == {"success": True, "data": {"voice_calls": [call]}}


@pytest.mark.parametrize(
    ("status", "native_status", "answered_by_staff", "handled"),
    [
        ("INCOMING_CALL", "ringing", False, False),
        ("ANSWERED_BY_STAFF", "answered", True, False),
        ("ANSWERED_BY_CALLS_PROVIDER", "answered", False, False),
        ("MISSED", "missed", False, False),
        ("MISSED_CALL_HANDLED", "missed", False, True),
        ("VOICEMAIL", "voicemail", False, False),
    ],
)
async def test_every_status_is_stored_as_what_it_means_and_reads_back(
    client: httpx.AsyncClient,
    tenant: Tenant,
    status: str,
    native_status: str,
    answered_by_staff: bool,
    handled: bool,
) -> None:
    biz = await business(client, tenant)
    call = await create(client, biz, status=status)
    assert call["status"] == status
    native = await callsetup.call(client, tenant, call["uid"])
    assert native["status"] == native_status
    assert native["answered_by"] == (biz.staff["id"] if answered_by_staff else None)
    assert (native["handled_at"] is not None) is handled
    assert (call["handled_at"] is not None) is handled


async def test_voicemail_received_is_accepted_and_read_back_by_its_current_name(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    biz = await business(client, tenant)
    call = await create(client, biz, status="VOICEMAIL_RECEIVED")
    assert call["status"] == "VOICEMAIL"
    assert (await callsetup.call(client, tenant, call["uid"]))["status"] == "voicemail"
    for name in ("VOICEMAIL_RECEIVED", "VOICEMAIL"):
        listed = await client.get(BASE, params={"filter[status]": name}, headers=biz.headers)
        assert [c["uid"] for c in listed.json()["data"]["voice_calls"]] == [call["uid"]]


# -- update ------------------------------------------------------------------------------------


async def test_update_follows_a_logged_call_through_its_life(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    biz = await business(client, tenant)
    other_staff = await factories.member(client, tenant, "Olly Other", "+14155550102")
    call = await create(client, biz)

    answered = await put(client, biz, call["uid"], update_body(call, status="ANSWERED_BY_STAFF"))
    assert answered.status_code == 200, answered.text
    assert answered.json()["data"]["status"] == "ANSWERED_BY_STAFF"
    native = await callsetup.call(client, tenant, call["uid"])
    assert (native["status"], native["answered_by"]) == ("answered", biz.staff["id"])

    body = update_body(
        answered.json()["data"],
        duration=120,
        price="1.50",
        call_summary="Client called to ask about their account balance",
        external_app_url="https://example.com/call-details",
        external_app_name="Front desk",
        recording_id="rec-001",
        staff_uid=other_staff["id"],
    )
    done = await put(client, biz, call["uid"], body)
    assert done.status_code == 200, done.text
    data = done.json()["data"]
    for name in ("duration", "price", "call_summary", "external_app_url", "external_app_name"):
        assert data[name] == body[name], name
    assert data["staff_uid"] == other_staff["id"]
    assert data["recording"] == {
        "uid": "rec-001",
        "recordingUrl": None,
        "size": None,
        "duration": None,
        "recording_played": False,
        "recording_type": None,
    }
    native = await callsetup.call(client, tenant, call["uid"])
    assert native["status"] == "completed"
    assert native["duration_seconds"] == 120
    assert native["summary"] == body["call_summary"]
    assert native["price"] == "1.50"
    assert native["answered_by"] == other_staff["id"]
    assert native["external"] == {
        "source_id": "call-src-001",
        "app_name": "Front desk",
        "app_url": "https://example.com/call-details",
        "recording_id": "rec-001",
    }
    # Reading it and writing it back changes nothing.
    again = await put(client, biz, call["uid"], update_body(data))
    assert again.status_code == 200
    assert again.json()["data"] == data


async def test_a_missed_logged_call_is_marked_handled_by_a_staff_member(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    biz = await business(client, tenant)
    call = await create(client, biz, status="MISSED")
    body = update_body(call, status="MISSED_CALL_HANDLED", handled_by_staff_uid=biz.staff["id"])
    response = await put(client, biz, call["uid"], body)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["status"] == "MISSED_CALL_HANDLED"
    assert data["handled_by_staff_uid"] == biz.staff["id"]
    assert data["handled_at"] == "2026-03-02T09:00:00.000Z"
    native = await callsetup.call(client, tenant, call["uid"])
    assert (native["status"], native["handled_by"]) == ("missed", biz.staff["id"])

    # Back to MISSED clears who handled it.
    reopened = await put(client, biz, call["uid"], update_body(data, status="MISSED"))
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["data"]["handled_by_staff_uid"] is None
    assert reopened.json()["data"]["handled_at"] is None


async def test_update_refuses_what_cannot_be_true(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    biz = await business(client, tenant)
    theirs = await business(client, other_tenant)
    call = await create(client, biz)
    taken = await create(client, biz, external_uuid="ext-call-002")
    cases: list[tuple[JSON, int, str, str]] = [
        (
            {"handled_by_staff_uid": biz.staff["id"]},
            400,
            "INVALID_PARAMETER",
            "handled_by_staff_uid",
        ),
        ({"status": "ANSWERED_BY_STAFF", "staff_uid": None}, 400, "PARAMETER_MISSING", "staff_uid"),
        ({"duration": 30}, 400, "INVALID_FORMAT", "duration"),  # still ringing
        ({"staff_uid": theirs.staff["id"]}, 422, "STAFF_NOT_FOUND", "staff_uid"),
        ({"client_uid": theirs.client["id"]}, 422, "CLIENT_NOT_FOUND", "client_uid"),
        (
            {"status": "MISSED_CALL_HANDLED", "handled_by_staff_uid": theirs.staff["id"]},
            422,
            "STAFF_NOT_FOUND",
            "handled_by_staff_uid",
        ),
        ({"external_uuid": taken["external_uuid"]}, 409, "CONFLICT", "external_uuid"),
        ({"business_uid": str(tenant.project_id)}, 400, "UNKNOWN_PARAMETER", "business_uid"),
        ({"external_app_url": "not a url"}, 400, "INVALID_FORMAT", "external_app_url"),
        ({"price": 1.5}, 400, "INVALID_FORMAT", "price"),
        ({"duration": -1}, 400, "VALUE_OUT_OF_RANGE", "duration"),
        ({"duration": 12.5}, 400, "INVALID_FORMAT", "duration"),
    ]
    for changes, status, code, field in cases:
        response = await put(client, biz, call["uid"], update_body(call, **changes))
        assert_error(response, status, code, field)
    for name in ("staff_uid", "rate", "price", "duration", "recording_id", "external_uuid"):
        body = update_body(call)
        del body[name]
        assert_error(await put(client, biz, call["uid"], body), 400, "PARAMETER_MISSING", name)
    fetched = (await client.get(f"{BASE}/{call['uid']}", headers=biz.headers)).json()["data"]
    assert fetched == call  # nothing half-written


# -- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", sorted(EXAMPLE))
async def test_create_requires_every_field(
    client: httpx.AsyncClient, tenant: Tenant, missing: str
) -> None:
    biz = await business(client, tenant)
    body = biz.body()
    del body[missing]
    response = await client.post(BASE, json=body, headers=biz.headers)
    error = assert_error(response, 400, "PARAMETER_MISSING", missing)
    assert error["error"] == f"{missing} is required"


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"direction": "inbound"}, "INVALID_ENUM_VALUE", "direction"),
        ({"status": "missed"}, "INVALID_ENUM_VALUE", "status"),
        ({"status": "Voicemail"}, "INVALID_ENUM_VALUE", "status"),
        ({"provider": "vonage"}, "INVALID_ENUM_VALUE", "provider"),
        ({"provider": "TWILIO"}, "INVALID_ENUM_VALUE", "provider"),
        ({"rate": 0.05}, "INVALID_FORMAT", "rate"),
        ({"rate": "five cents"}, "INVALID_FORMAT", "rate"),
        ({"rate": "-0.05"}, "INVALID_FORMAT", "rate"),
        ({"from_number": "4155550148"}, "INVALID_FORMAT", "from_number"),
        ({"from_number": "+1 (415) 555-0148"}, "INVALID_FORMAT", "from_number"),
        ({"to_number": "+1415555"}, "INVALID_FORMAT", "to_number"),
        ({"to_number": 14155550901}, "INVALID_FORMAT", "to_number"),
        ({"staff_uid": ""}, "VALUE_OUT_OF_RANGE", "staff_uid"),
        ({"external_uuid": "x" * 101}, "VALUE_OUT_OF_RANGE", "external_uuid"),
        ({"source_id": None}, "INVALID_FORMAT", "source_id"),
        ({"recording_id": "rec-1"}, "UNKNOWN_PARAMETER", "recording_id"),
        ({"colour": "red"}, "UNKNOWN_PARAMETER", "colour"),
    ],
)
async def test_create_rejects_bad_values_naming_the_field(
    client: httpx.AsyncClient, tenant: Tenant, changes: JSON, code: str, field: str
) -> None:
    biz = await business(client, tenant)
    response = await client.post(BASE, json=biz.body(**changes), headers=biz.headers)
    assert_error(response, 400, code, field)
    assert (await client.get(BASE, headers=biz.headers)).json()["data"]["voice_calls"] == []


async def test_the_rate_message_says_a_number_is_not_accepted(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    biz = await business(client, tenant)
    response = await client.post(BASE, json=biz.body(rate=0.05), headers=biz.headers)
    body = assert_error(response, 400, "INVALID_FORMAT", "rate")
    assert body["error"] == 'rate must be a string such as "0.05"; a number is not accepted'
    assert body["errors"] == {"rate": [body["error"]]}


async def test_several_mistakes_are_reported_together(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    biz = await business(client, tenant)
    body = biz.body(direction="inbound", rate=5)
    del body["staff_uid"]
    response = await client.post(BASE, json=body, headers=biz.headers)
    error = assert_error(response, 400, "PARAMETER_MISSING", "staff_uid")
    assert set(error["errors"]) == {"staff_uid", "direction", "rate"}


@pytest.mark.parametrize(
    ("content", "content_type", "status", "code"),
    [
        (b'{"staff_uid": ', "application/json", 400, "INVALID_JSON"),
        (b"[]", "application/json", 400, "INVALID_FORMAT"),
        (b"", "application/json", 400, "PARAMETER_MISSING"),
        (b'{"rate": NaN}', "application/json", 400, "INVALID_JSON"),
        (b"staff_uid=1", "application/x-www-form-urlencoded", 415, "UNSUPPORTED_MEDIA_TYPE"),
    ],
)
async def test_malformed_bodies_are_refused_in_vcitas_shape(
    client: httpx.AsyncClient,
    tenant: Tenant,
    content: bytes,
    content_type: str,
    status: int,
    code: str,
) -> None:
    headers = {**tenant.headers, "Content-Type": content_type}
    for method, url in (("POST", BASE), ("PUT", f"{BASE}/{PLACEHOLDER}")):
        response = await client.request(method, url, content=content, headers=headers)
        assert_error(response, status, code, None)  # the body is read before the call


async def test_business_uid_must_be_the_keys_own_business(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    biz = await business(client, tenant)
    for business_uid in (str(other_tenant.project_id), PLACEHOLDER, "acme"):
        response = await client.post(
            BASE, json=biz.body(business_uid=business_uid), headers=biz.headers
        )
        assert_error(response, 403, "RESOURCE_ACCESS_DENIED", "business_uid")
    on_behalf = {**biz.headers, "x-on-behalf-of": str(other_tenant.project_id)}
    assert_error(await client.get(BASE, headers=on_behalf), 403, "RESOURCE_ACCESS_DENIED", None)
    own = {**biz.headers, "x-on-behalf-of": str(tenant.project_id)}
    assert (await client.get(BASE, headers=own)).status_code == 200
    assert (await client.get(BASE, headers=biz.headers)).json()["data"]["voice_calls"] == []


async def test_staff_and_client_must_be_the_business_own(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    biz = await business(client, tenant)
    theirs = await business(client, other_tenant)
    cases = [
        ("staff_uid", theirs.staff["id"], "STAFF_NOT_FOUND"),
        ("staff_uid", biz.client["id"], "STAFF_NOT_FOUND"),  # a client is not staff
        ("staff_uid", "not-a-uid", "STAFF_NOT_FOUND"),
        ("client_uid", theirs.client["id"], "CLIENT_NOT_FOUND"),
        ("client_uid", biz.staff["id"], "CLIENT_NOT_FOUND"),
    ]
    for field, value, code in cases:
        response = await client.post(BASE, json=biz.body(**{field: value}), headers=biz.headers)
        assert_error(response, 422, code, field)


async def test_a_retried_create_is_refused_not_stored_twice(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    biz = await business(client, tenant)
    first = await create(client, biz)
    again = await client.post(BASE, json=biz.body(), headers=biz.headers)
    body = assert_error(again, 409, "CONFLICT", "external_uuid")
    assert first["uid"] in body["error"]
    listed = (await client.get(BASE, headers=biz.headers)).json()["data"]["voice_calls"]
    assert len(listed) == 1


async def test_another_business_calls_answer_404_in_vcitas_shape(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    biz = await business(client, tenant)
    theirs = await business(client, other_tenant)
    call = await create(client, biz)
    for uid in (call["uid"], PLACEHOLDER, "nonsense"):
        for method, path in (("GET", ""), ("PUT", ""), ("GET", "/transcript")):
            body = update_body(call, staff_uid=None, client_uid=None) if method == "PUT" else None
            response = await client.request(
                method, f"{BASE}/{uid}{path}", json=body, headers=theirs.headers
            )
            assert_error(response, 404, "NOT_FOUND", None)
    listed = (await client.get(BASE, headers=theirs.headers)).json()["data"]["voice_calls"]
    assert listed == []
    assert (await client.get(f"{BASE}/{call['uid']}", headers=biz.headers)).json()["data"] == call


async def test_the_transcript_of_a_call_without_one_is_404_as_vcita_words_it(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    biz = await business(client, tenant)
    call = await create(client, biz, status="MISSED")
    response = await client.get(f"{BASE}/{call['uid']}/transcript", headers=biz.headers)
    body = assert_error(response, 404, "NOT_FOUND", None)
    assert body["error"] == "Transcript not found for the given voice call"


# -- authentication and permissions ------------------------------------------------------------


async def test_a_read_only_key_reads_and_is_refused_writes_in_vcitas_shape(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    biz = await business(client, tenant)
    call = await create(client, biz)
    for role in (Role.VIEWER,):
        key = await make_key(ctx, tenant, role=role)
        headers = {"Authorization": f"Bearer {key}"}
        assert (await client.get(BASE, headers=headers)).status_code == 200
        assert (await client.get(f"{BASE}/{call['uid']}", headers=headers)).status_code == 200
        refused = await client.post(BASE, json=biz.body(external_uuid="x"), headers=headers)
        body = assert_error(refused, 403, "INSUFFICIENT_PERMISSIONS", None)
        assert "calls:write" in body["error"]
        refused = await client.put(f"{BASE}/{call['uid']}", json=update_body(call), headers=headers)
        assert_error(refused, 403, "INSUFFICIENT_PERMISSIONS", None)
    calls_only = await make_key(ctx, tenant, permissions=["calls:read"])
    headers = {"Authorization": f"Bearer {calls_only}"}
    assert (await client.get(BASE, headers=headers)).status_code == 200
    no_calls = await make_key(ctx, tenant, permissions=["members:read"])
    refused = await client.get(BASE, headers={"Authorization": f"Bearer {no_calls}"})
    assert_error(refused, 403, "INSUFFICIENT_PERMISSIONS", None)
    listed = (await client.get(BASE, headers=biz.headers)).json()["data"]["voice_calls"]
    assert [c["uid"] for c in listed] == [call["uid"]]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer nope"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer crk_AAAAAAAA_" + "x" * 40},
    ],
)
async def test_no_valid_bearer_key_is_401_in_vcitas_shape(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    for method, url in (("GET", BASE), ("POST", BASE), ("GET", f"{BASE}/{PLACEHOLDER}")):
        response = await client.request(method, url, json=EXAMPLE, headers=headers)
        assert_error(response, 401, "UNAUTHORIZED", None)


async def test_wrong_methods_and_paths_answer_in_vcitas_shape(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.delete(f"{BASE}/{PLACEHOLDER}", headers=tenant.headers)
    assert_error(response, 405, "METHOD_NOT_ALLOWED", None)  # vcita has no DELETE either
    response = await client.get(f"{BASE}/{PLACEHOLDER}/recording", headers=tenant.headers)
    assert_error(response, 404, "NOT_FOUND", None)
    for path in (
        "voice_call_quotas",
        "voice_call_settings",
        f"voice_call_recordings/{PLACEHOLDER}",
    ):
        response = await client.get(f"/v3/communication/{path}", headers=tenant.headers)
        assert_error(response, 404, "NOT_FOUND", None)  # not served, but said in vcita's words
