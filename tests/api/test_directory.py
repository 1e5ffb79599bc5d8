"""Teams, escalation policies, services, urgencies and contacts through the API, and what
happens when something others point at is deleted."""

from __future__ import annotations

import httpx

from tests import factories
from tests.conftest import Tenant

API = "/api/v1"


async def test_policy_resolves_levels_into_responders_and_says_who_is_missing(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ann = await factories.member(client, tenant, "Ann", "+14155550100")
    bob = await factories.member(client, tenant, "Bob", "+14155550101")
    nophone = await factories.member(client, tenant, "Nora", "")
    team = await factories.post(
        client, tenant, "teams", {"name": "SRE", "member_ids": [bob["id"], ann["id"]]}
    )
    schedule = await factories.schedule(client, tenant, [ann["id"]])
    empty = await factories.post(
        client, tenant, "schedules", {"name": "Empty", "time_zone": "UTC", "layers": []}
    )
    policy = await factories.post(
        client,
        tenant,
        "escalation-policies",
        {
            "name": "Hotline",
            "repeat_count": 2,
            "levels": [
                {
                    "strategy": "sequential",
                    "ring_timeout_seconds": 20,
                    "targets": [
                        {"type": "schedule", "id": schedule["id"]},
                        {"type": "team", "id": team["id"]},
                    ],
                },
                {
                    "strategy": "simultaneous",
                    "delay_seconds": 60,
                    "targets": [
                        {"type": "schedule", "id": empty["id"]},
                        {"type": "member", "id": nophone["id"]},
                    ],
                },
            ],
        },
    )
    assert policy["levels"][0]["targets"][0] == {"type": "schedule", "id": schedule["id"]}
    resolved = (
        await client.get(
            f"{API}/escalation-policies/{policy['id']}/on-call",
            params={"at": "2026-03-04T12:00:00Z"},
            headers=tenant.headers,
        )
    ).json()
    assert resolved["repeat_count"] == 2
    assert resolved["nobody_available"] is False
    first, second = resolved["levels"]
    # Ann is on call and first in the level; the team adds Bob; Ann is not rung twice.
    assert [(r["name"], r["numbers"]) for r in first["responders"]] == [
        ("Ann", ["+14155550100"]),
        ("Bob", ["+14155550101"]),
    ]
    assert first["ring_timeout_seconds"] == 20
    assert second["responders"] == []
    assert {u["reason"] for u in second["unresolved"]} == {
        "schedule has nobody on call",
        "member has no phone number",
    }


async def test_required_verification_skips_unverified_numbers(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ann = await factories.post(
        client,
        tenant,
        "members",
        {
            "name": "Ann",
            "phones": [{"number": "+14155550100"}, {"number": "+14155550199", "verified": True}],
        },
    )
    policy = await factories.policy(client, tenant, [{"type": "member", "id": ann["id"]}])
    url = f"{API}/escalation-policies/{policy['id']}/on-call"
    before = (await client.get(url, headers=tenant.headers)).json()
    assert before["levels"][0]["responders"][0]["numbers"] == ["+14155550100", "+14155550199"]
    await client.patch(
        f"{API}/project", json={"require_verified_numbers": True}, headers=tenant.headers
    )
    after = (await client.get(url, headers=tenant.headers)).json()
    assert after["levels"][0]["responders"][0]["numbers"] == ["+14155550199"]


async def test_policy_validation(client: httpx.AsyncClient, tenant: Tenant) -> None:
    ann = await factories.member(client, tenant)
    target = {"type": "member", "id": ann["id"]}
    cases = [
        ({"name": "P", "levels": []}, "levels"),
        ({"name": "P", "levels": [{"targets": []}]}, "levels[0].targets"),
        ({"name": "P", "levels": [{"targets": [target, target]}]}, "levels[0].targets[1]"),
        (
            {"name": "P", "levels": [{"targets": [{"type": "user", "id": ann["id"]}]}]},
            "levels[0].targets[0].type",
        ),
        (
            {"name": "P", "levels": [{"targets": [{"type": "team", "id": ann["id"]}]}]},
            "levels[0].targets[0].id",
        ),
        (
            {"name": "P", "levels": [{"targets": [target], "strategy": "Random"}]},
            "levels[0].strategy",
        ),
        (
            {"name": "P", "levels": [{"targets": [target], "ring_timeout_seconds": 1}]},
            "levels[0].ring_timeout_seconds",
        ),
        (
            {"name": "P", "levels": [{"targets": [target], "delay_seconds": -1}]},
            "levels[0].delay_seconds",
        ),
        ({"name": "P", "repeat_count": 101, "levels": [{"targets": [target]}]}, "repeat_count"),
        ({"name": "P", "repeat_count": "2", "levels": [{"targets": [target]}]}, "repeat_count"),
    ]
    for body, field in cases:
        response = await client.post(
            f"{API}/escalation-policies", json=body, headers=tenant.headers
        )
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["field"] == field, body
    await factories.policy(client, tenant, [target], name="Dup")
    duplicate = await client.post(
        f"{API}/escalation-policies",
        json={"name": "Dup", "levels": [{"targets": [target]}]},
        headers=tenant.headers,
    )
    assert duplicate.status_code == 409


async def test_deleting_a_referenced_member_is_409_naming_the_references(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ids = await factories.one_of_each(client, tenant)
    member_url = f"{API}/members/{ids['member_id']}"
    refused = await client.delete(member_url, headers=tenant.headers)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert "team 'SRE'" in error["message"]
    assert "schedule 'Primary'" in error["message"]
    kinds = {(d["type"], d["name"]) for d in error["details"]}
    assert kinds == {("team", "SRE"), ("schedule", "Primary")}
    assert (await client.get(member_url, headers=tenant.headers)).status_code == 200

    forced = await client.delete(member_url, params={"force": "true"}, headers=tenant.headers)
    assert forced.status_code == 200
    removed = forced.json()["removed_references"]
    assert {(r["type"], r["via"]) for r in removed} == {
        ("team", "team member"),
        ("schedule", "rotation of layer 'Weekly'"),
    }
    team = (await client.get(f"{API}/teams/{ids['team_id']}", headers=tenant.headers)).json()
    assert team["member_ids"] == []
    schedule = (
        await client.get(f"{API}/schedules/{ids['schedule_id']}", headers=tenant.headers)
    ).json()
    assert len(schedule["layers"][0]["member_ids"]) == 1  # Bob keeps the rotation


async def test_deleting_referenced_schedules_teams_and_policies(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ids = await factories.one_of_each(client, tenant)
    h = tenant.headers
    for path in (
        f"schedules/{ids['schedule_id']}",
        f"teams/{ids['team_id']}",
        f"escalation-policies/{ids['policy_id']}",
    ):
        refused = await client.delete(f"{API}/{path}", headers=h)
        assert refused.status_code == 409, path
    removed = (
        await client.delete(
            f"{API}/schedules/{ids['schedule_id']}", params={"force": "true"}, headers=h
        )
    ).json()
    assert removed["removed_references"][0]["type"] == "escalation_policy"
    policy = (await client.get(f"{API}/escalation-policies/{ids['policy_id']}", headers=h)).json()
    assert policy["levels"][0]["targets"] == [{"type": "team", "id": ids["team_id"]}]
    # A router rings the policy: force never edits a router behind the user's back.
    policy_url = f"{API}/escalation-policies/{ids['policy_id']}"
    used = await client.delete(policy_url, params={"force": "true"}, headers=h)
    assert used.status_code == 409
    assert [d["type"] for d in used.json()["error"]["details"]] == ["router"]
    await client.delete(f"{API}/routers/{ids['router_id']}", headers=h)
    gone = (await client.delete(policy_url, params={"force": "true"}, headers=h)).json()
    assert {r["type"] for r in gone["removed_references"]} == {"service"}
    service = (await client.get(f"{API}/services/{ids['service_id']}", headers=h)).json()
    assert service["escalation_policy_id"] is None


async def test_teams(client: httpx.AsyncClient, tenant: Tenant) -> None:
    ann = await factories.member(client, tenant, "Ann", "+14155550100")
    bob = await factories.member(client, tenant, "Bob", "+14155550101")
    team = await factories.post(
        client, tenant, "teams", {"name": "SRE", "member_ids": [ann["id"], bob["id"]]}
    )
    assert team["member_ids"] == [ann["id"], bob["id"]]
    patched = (
        await client.patch(
            f"{API}/teams/{team['id']}",
            json={"member_ids": [bob["id"], ann["id"]]},
            headers=tenant.headers,
        )
    ).json()
    assert patched["member_ids"] == [bob["id"], ann["id"]]
    mine = (
        await client.get(f"{API}/teams", params={"member_id": ann["id"]}, headers=tenant.headers)
    ).json()
    assert [t["id"] for t in mine["data"]] == [team["id"]]
    twice = await client.post(
        f"{API}/teams", json={"name": "X", "member_ids": [ann["id"]] * 2}, headers=tenant.headers
    )
    assert twice.json()["error"]["field"] == "member_ids[1]"
    dup = await client.post(f"{API}/teams", json={"name": "SRE"}, headers=tenant.headers)
    assert dup.status_code == 409


async def test_urgencies_are_seeded_and_custom_ones_managed(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    listed = (await client.get(f"{API}/urgencies", headers=tenant.headers)).json()
    assert [(u["slug"], u["built_in"]) for u in listed["data"]] == [
        ("high", True),
        ("medium", True),
        ("low", True),
    ]
    custom = await factories.post(
        client, tenant, "urgencies", {"name": "Critical Outage", "position": 0}
    )
    assert custom["slug"] == "critical-outage"
    by_slug = (await client.get(f"{API}/urgencies/high", headers=tenant.headers)).json()
    assert by_slug["name"] == "High"
    assert (await client.delete(f"{API}/urgencies/high", headers=tenant.headers)).status_code == 409
    assert (
        await client.patch(f"{API}/urgencies/low", json={"name": "Lowest"}, headers=tenant.headers)
    ).status_code == 409
    assert (
        await client.post(f"{API}/urgencies", json={"name": "HIGH"}, headers=tenant.headers)
    ).status_code == 409
    assert (
        await client.delete(f"{API}/urgencies/{custom['id']}", headers=tenant.headers)
    ).status_code == 200


async def test_services_and_functionalities(client: httpx.AsyncClient, tenant: Tenant) -> None:
    ann = await factories.member(client, tenant)
    policy = await factories.policy(client, tenant, [{"type": "member", "id": ann["id"]}])
    api = await factories.post(
        client, tenant, "services", {"name": "Checkout", "escalation_policy_id": policy["id"]}
    )
    fn = await factories.post(
        client, tenant, "services", {"name": "Checkout", "kind": "functionality"}
    )
    assert (api["kind"], fn["kind"]) == ("service", "functionality")
    only = (
        await client.get(
            f"{API}/services", params={"kind": "functionality"}, headers=tenant.headers
        )
    ).json()
    assert [s["id"] for s in only["data"]] == [fn["id"]]
    assert (
        await client.post(f"{API}/services", json={"name": "Checkout"}, headers=tenant.headers)
    ).status_code == 409
    bad = await client.post(
        f"{API}/services", json={"name": "X", "kind": "Service"}, headers=tenant.headers
    )
    assert bad.json()["error"]["field"] == "kind"


async def test_contacts_are_found_by_number_and_label(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    vip = await factories.post(
        client,
        tenant,
        "contacts",
        {
            "name": "Big Customer",
            "labels": ["VIP", "enterprise", "vip"],
            "external_id": "crm-42",
            "phones": [{"number": "+44 20 7183 8750", "label": "office"}],
        },
    )
    assert vip["labels"] == ["vip", "enterprise"]
    assert vip["phones"] == [{"number": "+442071838750", "label": "office"}]
    await factories.post(client, tenant, "contacts", {"name": "Someone"})
    found = (
        await client.get(
            f"{API}/contacts/lookup", params={"phone": "+442071838750"}, headers=tenant.headers
        )
    ).json()
    assert found["id"] == vip["id"]
    missing = await client.get(
        f"{API}/contacts/lookup", params={"phone": "+14155550100"}, headers=tenant.headers
    )
    assert missing.status_code == 404
    labelled = (
        await client.get(f"{API}/contacts", params={"label": "vip"}, headers=tenant.headers)
    ).json()
    assert [c["id"] for c in labelled["data"]] == [vip["id"]]
    dup = await client.post(
        f"{API}/contacts", json={"name": "X", "external_id": "crm-42"}, headers=tenant.headers
    )
    assert dup.status_code == 409
    bad = await client.post(
        f"{API}/contacts", json={"name": "X", "labels": ["no spaces"]}, headers=tenant.headers
    )
    assert bad.json()["error"]["field"] == "labels[0]"
