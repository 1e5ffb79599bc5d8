"""A Twilio connection and its numbers, against Twilio's REST API answered at the transport."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from callroute import crypto
from callroute.app_context import AppContext
from callroute.models import ProviderConnection
from tests import factories
from tests.conftest import Tenant
from tests.twilio.cloud import ACCOUNT_SID, AUTH_TOKEN, PUBLIC_URL, TwilioCloud
from tests.twilio.conftest import twilio_connection

API = "/api/v1"


async def test_the_auth_token_is_encrypted_and_never_returned(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    connection = await twilio_connection(client, tenant)
    assert connection["settings"] == {"account_sid": ACCOUNT_SID}
    assert "auth_token" in connection["secrets_set"]
    listed = await client.get(f"{API}/connections", headers=tenant.headers)
    assert AUTH_TOKEN not in listed.text
    async with ctx.db.unit_of_work(readonly=True) as session:
        row = await session.scalar(select(ProviderConnection))
    assert row is not None
    assert AUTH_TOKEN not in str(row.secrets)
    assert crypto.decrypt(ctx.secret_keys, row.secrets["auth_token"]) == AUTH_TOKEN


@pytest.mark.parametrize(
    ("account", "field"),
    [
        ({"account_sid": "AC123", "auth_token": AUTH_TOKEN}, "twilio.account_sid"),
        ({"account_sid": ACCOUNT_SID, "auth_token": "short"}, "twilio.auth_token"),
        ({"account_sid": ACCOUNT_SID}, "twilio.auth_token"),
        (
            {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "api_key_sid": "SK" + "0" * 32},
            "twilio",
        ),
        ({"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "edge": "mars"}, "twilio"),
    ],
)
async def test_a_bad_account_is_refused_naming_the_field(
    client: httpx.AsyncClient, tenant: Tenant, account: dict[str, str], field: str
) -> None:
    response = await client.post(
        f"{API}/connections",
        json={"name": "Twilio", "kind": "twilio", "twilio": account},
        headers=tenant.headers,
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


async def test_checking_the_connection_reports_twilios_answer(
    client: httpx.AsyncClient, tenant: Tenant, cloud: TwilioCloud
) -> None:
    connection = await twilio_connection(client, tenant)
    url = f"{API}/connections/{connection['id']}/test"
    ok = await client.post(url, headers=tenant.headers)
    assert ok.status_code == 200
    assert ok.json() == {"ok": True, "detail": f"Twilio account {ACCOUNT_SID} (Acme) is active"}
    cloud.error[r"/Accounts/AC\w+\.json$"] = (401, 20003, "Authenticate")
    refused = await client.post(url, headers=tenant.headers)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "provider_rejected"
    assert "Twilio error 20003: Authenticate" in error["message"]


async def test_numbers_are_searched_bought_with_webhooks_and_released(
    client: httpx.AsyncClient, tenant: Tenant, cloud: TwilioCloud
) -> None:
    connection = await twilio_connection(client, tenant)
    found = await client.get(
        f"{API}/numbers/available",
        params={"connection_id": connection["id"], "country": "US", "area_code": "201"},
        headers=tenant.headers,
    )
    assert found.status_code == 200, found.text
    assert [n["number"] for n in found.json()] == ["+12015550123", "+12015550124"]
    [search] = cloud.made(r"/AvailablePhoneNumbers/US/Local\.json", "GET")
    assert search.one("AreaCode") == "201"
    assert search.one("VoiceEnabled") == "true"

    bought = await factories.post(
        client, tenant, "numbers", {"connection_id": connection["id"], "number": "+12015550123"}
    )
    assert bought["provider_sid"].startswith("PN")
    assert bought["capabilities"] == ["sms", "voice"]
    [purchase] = cloud.made(r"/IncomingPhoneNumbers\.json$")
    assert purchase.one("VoiceUrl") == f"{PUBLIC_URL}/webhooks/twilio/voice"
    assert purchase.one("VoiceFallbackUrl") == f"{PUBLIC_URL}/webhooks/twilio/voice"
    assert purchase.one("StatusCallback") == f"{PUBLIC_URL}/webhooks/twilio/status"
    assert purchase.one("VoiceMethod") == "POST"

    kept = await client.delete(f"{API}/numbers/{bought['id']}", headers=tenant.headers)
    assert kept.status_code == 200
    assert "+12015550123" in cloud.owned  # still the account's, no longer sent here
    assert cloud.owned["+12015550123"]["voice_url"] == ""

    again = await factories.post(
        client,
        tenant,
        "numbers",
        {"connection_id": connection["id"], "number": "+12015550123", "existing": True},
    )
    assert again["provider_sid"] == cloud.owned["+12015550123"]["sid"]
    assert cloud.owned["+12015550123"]["voice_url"] == f"{PUBLIC_URL}/webhooks/twilio/voice"
    given_back = await client.delete(
        f"{API}/numbers/{again['id']}", params={"give_back": "true"}, headers=tenant.headers
    )
    assert given_back.status_code == 200
    assert "+12015550123" not in cloud.owned


async def test_twilio_refusals_keep_their_code_and_outages_are_retried(
    client: httpx.AsyncClient, tenant: Tenant, cloud: TwilioCloud
) -> None:
    connection = await twilio_connection(client, tenant)
    claim = {"connection_id": connection["id"], "number": "+12015550123"}
    cloud.error[r"/IncomingPhoneNumbers\.json$"] = (
        400,
        21422,
        "PhoneNumber is not available",
    )
    gone = await client.post(f"{API}/numbers", json=claim, headers=tenant.headers)
    assert gone.status_code == 422
    assert "Twilio error 21422: PhoneNumber is not available" in gone.json()["error"]["message"]
    assert {"field": "twilio_code", "message": "21422"} in gone.json()["error"]["details"]
    listed = await client.get(f"{API}/numbers", headers=tenant.headers)
    assert listed.json()["total"] == 0  # nothing kept of a number that was not bought

    cloud.error.clear()
    cloud.fail[r"/IncomingPhoneNumbers\.json$"] = [503, 429]
    bought = await client.post(f"{API}/numbers", json=claim, headers=tenant.headers)
    assert bought.status_code == 201  # two failures, then the retry went through
    assert len(cloud.made(r"/IncomingPhoneNumbers\.json$")) == 4  # 2 refused, 1 failed, 1 ok

    cloud.fail[r"/AvailablePhoneNumbers"] = [500, 500, 500, 500]
    down = await client.get(
        f"{API}/numbers/available",
        params={"connection_id": connection["id"], "country": "US"},
        headers=tenant.headers,
    )
    assert down.status_code == 502
    assert down.json()["error"]["code"] == "provider_unavailable"


async def test_a_simulator_number_is_still_released_without_any_provider(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    connection = await factories.post(
        client, tenant, "connections", {"name": "Sim", "kind": "simulator"}
    )
    number = await factories.post(
        client, tenant, "numbers", {"connection_id": connection["id"], "country": "US"}
    )
    released = await client.delete(
        f"{API}/numbers/{number['id']}", params={"give_back": "true"}, headers=tenant.headers
    )
    assert released.status_code == 200


async def test_an_api_key_region_and_edge_are_what_rest_calls_use(
    client: httpx.AsyncClient, tenant: Tenant, cloud: TwilioCloud
) -> None:
    api_key = "SK" + "c3" * 16
    connection = await factories.post(
        client,
        tenant,
        "connections",
        {
            "name": "Twilio EU",
            "kind": "twilio",
            "twilio": {
                "account_sid": ACCOUNT_SID,
                "auth_token": AUTH_TOKEN,
                "api_key_sid": api_key,
                "api_key_secret": "a-secret-of-the-api-key",
                "region": "ie1",
                "edge": "dublin",
            },
        },
    )
    assert connection["settings"] == {
        "account_sid": ACCOUNT_SID,
        "api_key_sid": api_key,
        "region": "ie1",
        "edge": "dublin",
    }
    assert sorted(connection["secrets_set"]) == ["api_key_secret", "auth_token", "webhook_secret"]
    checked = await client.post(
        f"{API}/connections/{connection['id']}/test", headers=tenant.headers
    )
    assert checked.status_code == 200
    [request] = cloud.made(r"/Accounts/AC\w+\.json$", "GET")
    assert request.user == api_key  # the key, not the account's auth token
    assert request.host == "api.dublin.ie1.twilio.com"
