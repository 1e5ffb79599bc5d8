"""One router, two APIs: what is written through Rootly's API reads back unchanged, what
only the native API can express survives Rootly's updates, and what Rootly cannot express is
refused rather than lost."""

from __future__ import annotations

from typing import Any

import httpx

from tests import factories
from tests.compat import rootly_support as rs
from tests.compat.rootly_support import BASE, MUSIC
from tests.conftest import Tenant

JSON = dict[str, Any]
READ_ONLY = {"slug", "phone_number", "escalation_policy_trigger", "created_at", "updated_at"}


def writable(attributes: JSON) -> JSON:
    return {k: v for k, v in attributes.items() if k not in READ_ONLY}


async def test_what_is_read_can_be_written_back_unchanged(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    """A client that PUTs back what it read, or creates a copy from it, changes nothing:
    every attribute of a response is accepted by update and create."""
    d = await rs.directory(client, tenant)
    created = await rs.create(
        client,
        tenant,
        rs.minimal(
            d,
            kind="live",
            caller_greeting="Hello.",
            unavailable_responder_message="Trying the next person.",
            waiting_music_url=MUSIC + "ith_chopin-15-2.mp3",
            sent_to_voicemail_delay=90,
            should_redirect_to_voicemail_on_no_answer=False,
            escalation_level_delay_in_seconds=0,
            alert_urgency_id=d.urgencies["low"],
            calling_tree_enabled=True,
            calling_tree_prompt="Press 1, 2 or 3.",
            paging_targets=[
                d.target("functionality", None),
                d.target("team"),
                d.target("service", "medium"),
            ],
            notify_via_sms=False,
            informational_notification_message=None,
        ),
    )
    again = await rs.update(client, tenant, created["id"], writable(created["attributes"]))
    assert again == created

    copy = {**writable(created["attributes"]), "name": "Copy"}
    duplicate = await rs.create(client, tenant, copy)
    assert writable(duplicate["attributes"]) == copy


async def test_the_calling_tree_switch_reads_back_as_written(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    d = await rs.directory(client, tenant)
    two = [d.target("service"), d.target("team")]
    prompt = "Press 1 for Security, 2 for Database."
    for enabled in (False, True):
        created = await rs.create(
            client,
            tenant,
            rs.minimal(
                d,
                name=f"Tree {enabled}",
                paging_targets=two,
                calling_tree_prompt=prompt,
                calling_tree_enabled=enabled,
            ),
        )
        assert created["attributes"]["calling_tree_enabled"] is enabled

    # Down to one target: the prompt stays, and callers go straight to the target.
    one = await rs.update(client, tenant, created["id"], {"paging_targets": two[:1]})
    assert one["attributes"]["calling_tree_prompt"] == prompt
    assert one["attributes"]["calling_tree_enabled"] is True
    single = await rs.update(client, tenant, created["id"], {"calling_tree_enabled": False})
    assert single["attributes"]["paging_targets"] == two[:1]
    assert single["attributes"]["calling_tree_prompt"] == prompt
    menu = (await rs.native(client, tenant, created["id"]))["menu"]
    assert menu["skip_single_option"] is True
    # Without a prompt, one target is the router's action.
    plain = await rs.update(client, tenant, created["id"], {"calling_tree_prompt": None})
    assert plain["attributes"]["calling_tree_prompt"] is None
    router = await rs.native(client, tenant, created["id"])
    assert router["menu"] is None
    assert router["action"]["target"]["id"] == d.service["id"]


async def test_a_legacy_client_changes_the_first_target_through_the_trigger(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    d = await rs.directory(client, tenant)
    created = await rs.create(
        client,
        tenant,
        rs.minimal(
            d,
            calling_tree_prompt="1 or 2",
            paging_targets=[d.target("service", "low"), d.target("team", "high")],
        ),
    )
    updated = await rs.update(
        client,
        tenant,
        created["id"],
        {"escalation_policy_trigger_params": {"id": d.policy["id"], "type": "EscalationPolicy"}},
    )
    attributes = updated["attributes"]
    assert attributes["paging_targets"] == [
        {**d.target("escalation_policy", "low")},  # the first target's urgency is kept
        d.target("team", "high"),
    ]
    assert attributes["escalation_policy_trigger_params"] == {
        "id": d.policy["id"],
        "type": "EscalationPolicy",
    }
    assert attributes["escalation_policy_trigger"] == {
        "id": d.policy["id"],
        "type": "escalation_policy",
    }
    # Both spellings of every trigger type are understood; a team is a "group".
    for spelling in ("group", "Group"):
        again = await rs.update(
            client,
            tenant,
            created["id"],
            {"escalation_policy_trigger_params": {"id": d.team["id"], "type": spelling}},
        )
        assert again["attributes"]["paging_targets"][0]["type"] == "team"
        assert again["attributes"]["escalation_policy_trigger_params"]["type"] == "Group"


async def test_what_only_the_native_api_expresses_survives_rootly_updates(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    d = await rs.directory(client, tenant)
    number = await factories.post(
        client, tenant, "numbers", {"connection_id": d.connection["id"], "country": "US"}
    )
    native = await factories.post(
        client,
        tenant,
        "routers",
        {
            "name": "Made natively",
            "phone_number_ids": [number["id"]],
            "greeting": {"text": "Hello", "voice": "Polly.Amy", "language": "en-GB"},
            "screening": {"blocklist": ["+14155550666"]},
            "business_hours": {
                "time_zone": "Europe/London",
                "windows": [{"days": ["monday"], "start": "09:00", "end": "17:00"}],
                "after_hours_action": {"type": "voicemail"},
            },
            "action": {
                "type": "ring",
                "label": "DB on call",
                "target": {"type": "team", "id": d.team["id"]},
                "strategy": "simultaneous",
                "ring_timeout_seconds": 45,
                "urgency": "high",
            },
            "ringing": {"require_accept": False, "caller_id": "router"},
            "voicemail": {"max_length_seconds": 60, "transcribe": False},
        },
    )
    seen = await rs.fetch(client, tenant, native["id"])
    assert seen["attributes"]["kind"] == "live"
    assert seen["attributes"]["caller_greeting"] == "Hello"
    assert seen["attributes"]["paging_targets"] == [d.target("team")]
    assert seen["attributes"]["phone_number"] == number["number"]

    await rs.update(
        client,
        tenant,
        native["id"],
        {
            "name": "Renamed",
            "caller_greeting": "Welcome",
            "paging_targets": [d.target("team", "low"), d.target("service")],
            "calling_tree_prompt": "1 for the team, 2 for Security",
        },
    )
    after = await rs.native(client, tenant, native["id"])
    assert after["name"] == "Renamed"
    assert after["greeting"] == {
        "text": "Welcome",
        "audio_url": None,
        "voice": "Polly.Amy",
        "language": "en-GB",
    }
    for part in ("screening", "business_hours", "voicemail"):
        assert after[part] == native[part], part
    assert (after["ringing"]["require_accept"], after["ringing"]["caller_id"]) == (False, "router")
    team_option = after["menu"]["options"][0]["action"]
    assert (team_option["label"], team_option["strategy"], team_option["ring_timeout_seconds"]) == (
        "DB on call",
        "simultaneous",
        45,
    )
    assert team_option["urgency"] == "low"
    assert after["menu"]["options"][1]["action"]["target"] == {
        "type": "service",
        "id": d.service["id"],
    }


async def test_routing_rootly_cannot_express_is_refused_not_lost(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    d = await rs.directory(client, tenant)
    forward = await factories.post(
        client,
        tenant,
        "routers",
        {
            "name": "Forwarder",
            "menu": {
                "prompt": {"text": "1 for support, 2 for the front desk"},
                "options": [
                    {
                        "digit": "1",
                        "action": {
                            "type": "ring",
                            "target": {"type": "member", "id": d.members["Ann"]["id"]},
                        },
                    },
                    {"digit": "2", "action": {"type": "forward", "number": "+14155550100"}},
                ],
            },
        },
    )
    seen = await rs.fetch(client, tenant, forward["id"])
    assert seen["attributes"]["kind"] == "live"
    assert seen["attributes"]["paging_targets"] == []  # members are not paging targets
    assert seen["attributes"]["phone_number"] is None

    refused = await client.put(
        f"{BASE}/{forward['id']}",
        json=rs.document({"paging_targets": [d.target("team")]}),
        headers=rs.headers(tenant),
    )
    detail = rs.errors(refused, 409)[0]["detail"]
    assert "forward" in detail
    assert (await rs.native(client, tenant, forward["id"]))["menu"] == forward["menu"]
    # What does not touch the routing is fine.
    renamed = await rs.update(
        client,
        tenant,
        forward["id"],
        {"name": "Front desk", "alert_urgency_id": d.urgencies["low"]},
    )
    assert renamed["attributes"]["name"] == "Front desk"
    assert renamed["attributes"]["alert_urgency_id"] == d.urgencies["low"]
    assert (await rs.native(client, tenant, forward["id"]))["menu"] == forward["menu"]


async def test_a_plain_voicemail_router_has_no_paging_targets(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    d = await rs.directory(client, tenant)
    plain = await factories.post(
        client, tenant, "routers", {"name": "Messages", "action": {"type": "voicemail"}}
    )
    seen = (await rs.fetch(client, tenant, plain["id"]))["attributes"]
    assert (seen["kind"], seen["paging_targets"]) == ("voicemail", [])
    assert seen["escalation_policy_trigger_params"] is None
    live = await client.put(
        f"{BASE}/{plain['id']}",
        json=rs.document({"kind": "live"}),
        headers=rs.headers(tenant),
    )
    assert rs.errors(live, 422)[0]["detail"].startswith("data.attributes.paging_targets: ")
    paged = await rs.update(
        client, tenant, plain["id"], {"kind": "live", "paging_targets": [d.target("team")]}
    )
    assert paged["attributes"]["kind"] == "live"


async def test_a_blank_responder_message_means_the_default(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    d = await rs.directory(client, tenant)
    created = await rs.create(client, tenant, rs.minimal(d, unavailable_responder_message=""))
    assert created["attributes"]["unavailable_responder_message"] is None
    ringing = (await rs.native(client, tenant, created["id"]))["ringing"]
    assert ringing["between_attempts_message"] is None
