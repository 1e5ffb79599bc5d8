"""Rootly's live call routers API: the documented examples replayed, and every attribute
read back as it was written, through the one core router."""

from __future__ import annotations

import re

import httpx

from callroute.compat.rootly.schemas import DEFAULT_CALLER_GREETING
from tests.compat import rootly_support as rs
from tests.compat.rootly_support import BASE, CLOCKWORK_WALTZ, MEDIA_TYPE, MUSIC
from tests.conftest import Tenant

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


async def test_the_documented_create_example_is_answered_as_documented(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    """The create page's example (seed 000), its placeholders filled with the response's
    values: a voicemail router with a service and an escalation policy to choose from."""
    d = await rs.directory(client, tenant)
    service, policy = d.target("service", "high"), d.target("escalation_policy", "low")
    sent = {
        "kind": "voicemail",
        "enabled": True,
        "name": "live_call_router-prod",
        "country_code": "US",
        "phone_type": "toll_free",
        "phone_number": "+14155552344",
        "voicemail_greeting": "hello",
        "caller_greeting": "Thanks for calling.",
        "waiting_music_url": CLOCKWORK_WALTZ,
        "sent_to_voicemail_delay": 123,
        "should_redirect_to_voicemail_on_no_answer": True,
        "escalation_level_delay_in_seconds": 123,
        "should_auto_resolve_alert_on_call_end": True,
        "alert_urgency_id": d.urgencies["medium"],
        "calling_tree_prompt": "Press 1 for service, Press 2 for escalation policy",
        "paging_targets": [service, policy],
        "escalation_policy_trigger_params": {"id": service["id"], "type": "service"},
    }
    response = await client.post(BASE, json=rs.document(sent), headers=rs.headers(tenant))
    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == MEDIA_TYPE
    body = response.json()
    assert list(body) == ["data"]
    created = body["data"]
    assert UUID.match(created["id"])
    assert created["type"] == "live_call_routers"
    attributes = created["attributes"]
    documented = {
        "kind": "voicemail",
        "name": "live_call_router-prod",
        "country_code": "US",
        "phone_type": "toll_free",
        "phone_number": "+14155552344",
        "voicemail_greeting": "hello",
        "enabled": True,
        "calling_tree_prompt": "Press 1 for service, Press 2 for escalation policy",
        "paging_targets": [service, policy],
    }
    assert {k: attributes[k] for k in documented} == documented
    # callroute's slug rule: lower case, words joined by hyphens.
    assert attributes["slug"] == "live-call-router-prod"
    assert attributes["created_at"] == attributes["updated_at"] == "2026-03-02T09:00:00.000Z"
    # Everything else that was written reads back unchanged.
    for name in sent.keys() - {"escalation_policy_trigger_params"}:
        assert attributes[name] == sent[name], name
    assert attributes["escalation_policy_trigger_params"] == {
        "id": service["id"],
        "type": "Service",
    }
    assert attributes["escalation_policy_trigger"] == {"id": service["id"], "type": "service"}
    assert await rs.fetch(client, tenant, created["id"]) == created


async def test_the_documented_update_example_is_answered_as_documented(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    """The update page's example (seed 001) on a router whose number was given without its
    ``+``, as that page's response prints it."""
    d = await rs.directory(client, tenant)
    created = await rs.create(
        client, tenant, rs.minimal(d, phone_number="14155551234", name="Staging")
    )
    assert created["attributes"]["phone_number"] == "+14155551234"
    service = d.target("service", "low")
    sent = {
        "kind": "voicemail",
        "enabled": True,
        "name": "live_call_router_staging",
        "country_code": "US",
        "phone_type": "local",
        "voicemail_greeting": "Officia aut iste quia.",
        "caller_greeting": "Hello from staging.",
        "waiting_music_url": MUSIC + "BusyStrings.mp3",
        "sent_to_voicemail_delay": 123,
        "should_redirect_to_voicemail_on_no_answer": True,
        "escalation_level_delay_in_seconds": 123,
        "should_auto_resolve_alert_on_call_end": True,
        "alert_urgency_id": d.urgencies["high"],
        "calling_tree_prompt": "Press 1 for staging.",
        "paging_targets": [service],
        "escalation_policy_trigger_params": {"id": service["id"], "type": "Service"},
    }
    response = await client.put(
        f"{BASE}/{created['id']}", json=rs.document(sent), headers=rs.headers(tenant)
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == MEDIA_TYPE
    updated = response.json()["data"]
    assert updated["id"] == created["id"]
    attributes = updated["attributes"]
    documented = {
        "kind": "voicemail",
        "name": "live_call_router_staging",
        "country_code": "US",
        "phone_type": "local",
        "phone_number": "+14155551234",
        "voicemail_greeting": "Officia aut iste quia.",
        "enabled": True,
        "alert_urgency_id": d.urgencies["high"],
        "escalation_policy_trigger": {"id": service["id"], "type": "service"},
    }
    assert {k: attributes[k] for k in documented} == documented
    assert attributes["slug"] == "live-call-router-staging"
    for name in sent.keys() - {"escalation_policy_trigger_params"}:
        assert attributes[name] == sent[name], name
    # A prompt with one target and no calling tree is kept; callers are not asked.
    assert attributes["calling_tree_enabled"] is False
    menu = (await rs.native(client, tenant, created["id"]))["menu"]
    assert menu["skip_single_option"] is True
    assert menu["prompt"]["text"] == "Press 1 for staging."


async def test_the_reference_create_example_makes_a_live_router(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    """The assembled create request of the reference (§6.3), read back and seen natively."""
    d = await rs.directory(client, tenant)
    sent = {
        "kind": "live",
        "enabled": True,
        "name": "Support hotline",
        "country_code": "US",
        "phone_type": "local",
        "phone_number": "+14155552344",
        "voicemail_greeting": "Please leave a message after the tone.",
        "caller_greeting": "Thanks for calling ACME on-call.",
        "waiting_music_url": CLOCKWORK_WALTZ,
        "should_redirect_to_voicemail_on_no_answer": True,
        "sent_to_voicemail_delay": 120,
        "escalation_level_delay_in_seconds": 30,
        "should_auto_resolve_alert_on_call_end": True,
        "calling_tree_prompt": "Press 1 for Security, press 2 for Database.",
        "paging_targets": [d.target("service"), d.target("escalation_policy")],
    }
    created = await rs.create(client, tenant, sent)
    for name, value in sent.items():
        assert created["attributes"][name] == value, name

    router = await rs.native(client, tenant, created["id"])
    assert router["name"] == "Support hotline"
    assert router["phone_numbers"][0]["number"] == "+14155552344"
    assert router["greeting"]["text"] == "Thanks for calling ACME on-call."
    assert router["voicemail"]["greeting"]["text"] == "Please leave a message after the tone."
    assert router["menu"]["prompt"]["text"] == "Press 1 for Security, press 2 for Database."
    options = router["menu"]["options"]
    assert [(o["digit"], o["action"]["type"], o["action"]["target"]) for o in options] == [
        ("1", "ring", {"type": "service", "id": d.service["id"]}),
        ("2", "ring", {"type": "escalation_policy", "id": d.policy["id"]}),
    ]
    assert router["menu"]["skip_single_option"] is True  # calling_tree_enabled not sent
    assert [o["action"]["urgency"] for o in router["menu"]["options"]] == ["high", "high"]
    ringing = router["ringing"]
    assert (ringing["mode"], ringing["hold_music_url"]) == ("hold", CLOCKWORK_WALTZ)
    assert (ringing["deadline_seconds"], ringing["level_delay_seconds"]) == (120, 30)
    assert router["fallback"] == "voicemail"
    assert router["alert"] == {"enabled": True, "urgency": None, "auto_resolve_on_call_end": True}


async def test_a_router_needs_only_the_required_attributes(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    """Without ``phone_number`` a number of the country and type is claimed; unset optional
    attributes are null, the waiting music and the caller greeting take Rootly's defaults."""
    d = await rs.directory(client, tenant)
    created = await rs.create(client, tenant, rs.minimal(d, country_code="AU", phone_type="mobile"))
    attributes = created["attributes"]
    assert attributes["phone_number"].startswith("+61")
    assert (attributes["country_code"], attributes["phone_type"]) == ("AU", "mobile")
    assert attributes["enabled"] is True
    assert attributes["waiting_music_url"] == CLOCKWORK_WALTZ
    assert attributes["caller_greeting"] == DEFAULT_CALLER_GREETING
    assert attributes["should_redirect_to_voicemail_on_no_answer"] is True
    assert attributes["should_auto_resolve_alert_on_call_end"] is False
    assert attributes["calling_tree_enabled"] is False
    for name in (
        "unavailable_responder_message",
        "sent_to_voicemail_delay",
        "escalation_level_delay_in_seconds",
        "alert_urgency_id",
        "calling_tree_prompt",
        "informational_notification_message",
    ):
        assert attributes[name] is None, name
    assert attributes["notify_via_sms"] is attributes["notify_via_push_notification"] is False
    numbers = (await client.get("/api/v1/numbers", headers=tenant.headers)).json()["data"]
    assert [(n["number"], n["router_id"], n["connection_id"]) for n in numbers] == [
        (attributes["phone_number"], created["id"], d.connection["id"])
    ]
    # One target, no prompt: the router's action is to leave a voicemail for it.
    router = await rs.native(client, tenant, created["id"])
    assert router["menu"] is None
    assert router["action"]["type"] == "voicemail"
    assert router["action"]["target"] == {"type": "escalation_policy", "id": d.policy["id"]}


async def test_generate_phone_number_offers_what_create_then_claims(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    d = await rs.directory(client, tenant)
    response = await client.get(
        f"{BASE}/generate_phone_number",
        params={"country_code": "GB", "phone_type": "local"},
        headers=rs.headers(tenant),
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == MEDIA_TYPE
    offered = response.json()
    assert list(offered) == ["phone_number"]
    assert offered["phone_number"].startswith("+44")
    created = await rs.create(
        client,
        tenant,
        rs.minimal(d, country_code="GB", phone_number=offered["phone_number"]),
    )
    assert created["attributes"]["phone_number"] == offered["phone_number"]
    # Claimed: the next offer is another number.
    again = await client.get(
        f"{BASE}/generate_phone_number",
        params={"country_code": "GB", "phone_type": "local"},
        headers=rs.headers(tenant),
    )
    assert again.json()["phone_number"] != offered["phone_number"]


async def test_a_number_the_project_owns_is_routed_not_claimed_again(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    d = await rs.directory(client, tenant)
    owned = (
        await client.post(
            "/api/v1/numbers",
            json={"connection_id": d.connection["id"], "country": "CA", "type": "toll_free"},
            headers=tenant.headers,
        )
    ).json()
    created = await rs.create(
        client,
        tenant,
        rs.minimal(d, country_code="CA", phone_type="toll_free", phone_number=owned["number"][1:]),
    )
    assert created["attributes"]["phone_number"] == owned["number"]
    number = (await client.get(f"/api/v1/numbers/{owned['id']}", headers=tenant.headers)).json()
    assert number["router_id"] == created["id"]


async def test_get_list_and_delete_answer_with_the_router(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    d = await rs.directory(client, tenant)
    created = await rs.create(client, tenant, rs.minimal(d))
    listed = (await client.get(BASE, headers=rs.headers(tenant))).json()
    assert listed["data"] == [created]

    deleted = await client.delete(f"{BASE}/{created['id']}", headers=rs.headers(tenant))
    assert deleted.status_code == 200, deleted.text
    assert deleted.headers["content-type"] == MEDIA_TYPE
    assert deleted.json() == {"data": created}
    gone = await client.get(f"{BASE}/{created['id']}", headers=rs.headers(tenant))
    assert rs.errors(gone, 404)[0]["code"] == "not_found"
    native = await client.get(f"/api/v1/routers/{created['id']}", headers=tenant.headers)
    assert native.status_code == 404
    # The number stays with the project, free for another router.
    numbers = (await client.get("/api/v1/numbers", headers=tenant.headers)).json()["data"]
    assert [(n["number"], n["router_id"]) for n in numbers] == [
        (created["attributes"]["phone_number"], None)
    ]
    again = await rs.create(
        client, tenant, rs.minimal(d, phone_number=created["attributes"]["phone_number"])
    )
    assert again["attributes"]["phone_number"] == created["attributes"]["phone_number"]


async def test_requests_shaped_like_rootlys_terraform_provider(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    """The provider sends a number from generate_phone_number, every paging target's keys
    (an unset urgency as ""), and on update only the attributes that changed."""
    d = await rs.directory(client, tenant)
    offer = await client.get(
        f"{BASE}/generate_phone_number",
        params={"country_code": "US", "phone_type": "local"},
        headers=rs.headers(tenant),
    )
    sent = {
        "kind": "voicemail",
        "enabled": True,
        "name": "tf-router",
        "country_code": "US",
        "phone_type": "local",
        "phone_number": offer.json()["phone_number"],
        "voicemail_greeting": "Leave a message.",
        "alert_urgency_id": d.urgencies["high"],
        "paging_targets": [{"id": d.service["id"], "type": "service", "alert_urgency_id": ""}],
    }
    created = await rs.create(client, tenant, sent)
    assert created["attributes"]["paging_targets"] == [
        {"id": d.service["id"], "type": "service", "alert_urgency_id": None}
    ]
    updated = await rs.update(
        client, tenant, created["id"], {"caller_greeting": "Hi", "sent_to_voicemail_delay": 45}
    )
    expected = {**created["attributes"], "caller_greeting": "Hi", "sent_to_voicemail_delay": 45}
    assert updated["attributes"] == expected
