"""A policy is a native router: what each OneUptime field becomes in callroute, and a router
made natively read as a policy."""

from __future__ import annotations

from typing import Any

import httpx

from tests import factories
from tests.compat.oneuptime_support import (
    POLICIES,
    RULES,
    create_policy,
    create_rule,
    error_of,
    get_item,
    get_list,
    ok,
    send,
)
from tests.conftest import Tenant

API = "/api/v1"


async def _router(client: httpx.AsyncClient, tenant: Tenant, router_id: str) -> dict[str, Any]:
    response = await client.get(f"{API}/routers/{router_id}", headers=tenant.headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def _policy(client: httpx.AsyncClient, tenant: Tenant, policy_id: str) -> dict[str, Any]:
    response = await client.get(f"{API}/escalation-policies/{policy_id}", headers=tenant.headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def test_every_writable_field_lands_on_the_router(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    created = await create_policy(
        client,
        tenant,
        name="Support",
        description="Customer support line",
        greetingMessage="Welcome to Acme support.",
        noAnswerMessage="Nobody answered.",
        noOneAvailableMessage="Nobody is on call.",
        isEnabled=False,
        repeatPolicyIfNoOneAnswers=True,
        repeatPolicyIfNoOneAnswersTimes=3,
        labels=[{"name": "Support"}, {"name": "eu"}],
    )
    router = await _router(client, tenant, created["_id"])
    assert (router["name"], router["slug"], router["enabled"]) == ("Support", "support", False)
    assert router["description"] == "Customer support line"
    assert router["labels"] == ["support", "eu"]
    assert router["greeting"]["text"] == "Welcome to Acme support."
    assert router["no_answer_message"]["text"] == "Nobody answered."
    assert router["no_one_available_message"]["text"] == "Nobody is on call."
    assert router["fallback"] == "message"
    assert router["ringing"]["caller_id"] == "router"
    assert router["ringing"]["require_accept"] is True  # a voicemail pickup is no answer
    assert router["ringing"]["repeat_count"] is None  # the rules' own count applies
    rules = await _policy(client, tenant, router["action"]["target"]["id"])
    assert (rules["repeat_count"], rules["levels"]) == (3, [])
    # Labels read back as OneUptime's label objects, with ids stable across policies.
    assert [label["name"] for label in created["labels"]] == ["support", "eu"]
    other = await create_policy(client, tenant, name="Other", labels=[created["labels"][1]])
    assert other["labels"] == [created["labels"][1]]


async def test_repeat_off_keeps_the_count_for_when_it_is_switched_back_on(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    created = await create_policy(
        client, tenant, repeatPolicyIfNoOneAnswers=True, repeatPolicyIfNoOneAnswersTimes=4
    )
    url = f"{POLICIES}/{created['_id']}"
    select = {"repeatPolicyIfNoOneAnswers": True, "repeatPolicyIfNoOneAnswersTimes": True}
    await ok(client, "PUT", url, tenant, {"data": {"repeatPolicyIfNoOneAnswers": False}})
    got = await get_item(client, tenant, POLICIES, created["_id"], select)
    assert (got["repeatPolicyIfNoOneAnswers"], got["repeatPolicyIfNoOneAnswersTimes"]) == (False, 4)
    router = await _router(client, tenant, created["_id"])
    assert router["ringing"]["repeat_count"] == 0  # the router overrides: no further rounds
    await ok(client, "PUT", url, tenant, {"data": {"repeatPolicyIfNoOneAnswers": True}})
    got = await get_item(client, tenant, POLICIES, created["_id"], select)
    assert (got["repeatPolicyIfNoOneAnswers"], got["repeatPolicyIfNoOneAnswersTimes"]) == (True, 4)
    await ok(client, "PUT", url, tenant, {"data": {"repeatPolicyIfNoOneAnswersTimes": 7}})
    rules = await _policy(client, tenant, router["action"]["target"]["id"])
    assert rules["repeat_count"] == 7


async def test_messages_keep_their_voice_and_can_be_cleared(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    created = await create_policy(client, tenant, description="")
    assert created["description"] is None  # an empty description reads as unset
    router = await _router(client, tenant, created["_id"])
    await client.patch(
        f"{API}/routers/{created['_id']}",
        json={"greeting": {"text": "Hi", "voice": "Polly.Amy", "language": "en-GB"}},
        headers=tenant.headers,
    )
    url = f"{POLICIES}/{created['_id']}"
    await ok(client, "PUT", url, tenant, {"data": {"greetingMessage": "Hello again"}})
    router = await _router(client, tenant, created["_id"])
    assert router["greeting"] == {
        "text": "Hello again",
        "audio_url": None,
        "voice": "Polly.Amy",
        "language": "en-GB",
    }
    await ok(client, "PUT", url, tenant, {"data": {"noAnswerMessage": None, "greetingMessage": ""}})
    router = await _router(client, tenant, created["_id"])
    assert (router["greeting"], router["no_answer_message"]) == (None, None)
    got = await get_item(client, tenant, POLICIES, created["_id"])
    assert (got["greetingMessage"], got["noAnswerMessage"]) == (None, None)


async def test_the_number_and_connection_of_a_policy(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    sim = await factories.post(
        client, tenant, "connections", {"name": "Twilio", "kind": "simulator"}
    )
    created = await create_policy(
        client, tenant, projectCallSMSConfigId=sim["id"], routingPhoneNumber="+1 201 555 7115"
    )
    assert created["routingPhoneNumber"] == "+12015557115"
    assert (created["phoneNumberCountryCode"], created["phoneNumberAreaCode"]) == ("US", "201")
    assert created["phoneNumberPurchasedAt"] == created["createdAt"]
    assert created["projectCallSMSConfigId"] == sim["id"]
    related = await get_item(
        client, tenant, POLICIES, created["_id"], {"projectCallSMSConfig": {"name": True}}
    )
    assert related["projectCallSMSConfig"] == {"_id": sim["id"], "name": "Twilio"}
    router = await _router(client, tenant, created["_id"])
    assert router["connection_id"] == sim["id"]
    assert [n["number"] for n in router["phone_numbers"]] == ["+12015557115"]

    # One policy per number: the router service's rule, said with OneUptime's column name.
    taken = await send(
        client,
        "POST",
        POLICIES,
        tenant,
        {"data": {"name": "Two", "routingPhoneNumber": "+12015557115"}},
    )
    assert error_of(taken, 400) == (
        f"routingPhoneNumber: +12015557115 is already routed by router {created['_id']}"
    )
    theirs = await send(
        client,
        "POST",
        POLICIES,
        other_tenant,
        {"data": {"name": "Theirs", "routingPhoneNumber": "+12015557115"}},
    )
    assert "routingPhoneNumber: +12015557115 is already in use" in error_of(theirs, 400)
    # A number the project does not own needs a connection to be claimed through.
    no_connection = await send(
        client,
        "POST",
        POLICIES,
        tenant,
        {"data": {"name": "Three", "routingPhoneNumber": "+12015557116"}},
    )
    assert "give projectCallSMSConfigId" in error_of(no_connection, 400)
    foreign = await factories.post(
        client, other_tenant, "connections", {"name": "X", "kind": "simulator"}
    )
    wrong = await send(
        client,
        "POST",
        POLICIES,
        tenant,
        {"data": {"name": "Four", "projectCallSMSConfigId": foreign["id"]}},
    )
    assert "projectCallSMSConfigId: no connection" in error_of(wrong, 400)

    # Detaching the number keeps it in the project; the policy keeps its connection.
    url = f"{POLICIES}/{created['_id']}"
    await ok(client, "PUT", url, tenant, {"data": {"routingPhoneNumber": None}})
    got = await get_item(client, tenant, POLICIES, created["_id"])
    assert (got["routingPhoneNumber"], got["projectCallSMSConfigId"]) == (None, sim["id"])
    numbers = (await client.get(f"{API}/numbers", headers=tenant.headers)).json()
    assert [(n["number"], n["router_id"]) for n in numbers["data"]] == [("+12015557115", None)]
    # ... and a second policy may now take it.
    second = await create_policy(client, tenant, name="Second", routingPhoneNumber="+12015557115")
    assert second["projectCallSMSConfigId"] == sim["id"]


async def test_names_repeat_but_slugs_do_not(client: httpx.AsyncClient, tenant: Tenant) -> None:
    slugs = [(await create_policy(client, tenant, name="Example name"))["slug"] for _ in range(3)]
    assert slugs == ["example-name", "example-name-2", "example-name-3"]
    listed = await get_list(
        client, tenant, POLICIES, select={"slug": True}, query={"slug": "example-name-2"}
    )
    assert listed["count"] == 1
    rules = (await client.get(f"{API}/escalation-policies", headers=tenant.headers)).json()
    assert sorted(p["name"] for p in rules["data"]) == [
        "Example name (incoming call policy)",
        "Example name (incoming call policy) 2",
        "Example name (incoming call policy) 3",
    ]
    renamed = listed["data"][0]["_id"]
    await ok(client, "PUT", f"{POLICIES}/{renamed}", tenant, {"data": {"name": "Billing"}})
    got = await get_item(client, tenant, POLICIES, renamed, {"slug": True, "name": True})
    assert (got["name"], got["slug"]) == ("Billing", "billing")
    rules = (await client.get(f"{API}/escalation-policies", headers=tenant.headers)).json()
    assert "Billing (incoming call policy)" in [p["name"] for p in rules["data"]]


async def test_labels_by_id_and_name(client: httpx.AsyncClient, tenant: Tenant) -> None:
    first = await create_policy(client, tenant, name="A", labels=[{"name": "vip"}])
    vip = first["labels"][0]
    second = await create_policy(client, tenant, name="B", labels=[{"_id": vip["_id"]}])
    assert second["labels"] == [vip]
    both = await create_policy(client, tenant, name="C", labels=[vip])
    assert both["labels"] == [vip]
    for labels, expected in (
        ([{"_id": "01a22bb4-0f01-7894-af2b-42249968c31a"}], "labels[0]._id: no label"),
        ([{"_id": vip["_id"], "name": "other"}], "is not the id of label 'other'"),
        ([{"name": "not a label!"}], "labels[0].name"),
        ([{"name": f"l{i}"} for i in range(21)], "labels"),
    ):
        response = await send(
            client, "POST", POLICIES, tenant, {"data": {"name": "D", "labels": labels}}
        )
        assert expected in error_of(response, 400)
    await ok(client, "PUT", f"{POLICIES}/{first['_id']}", tenant, {"data": {"labels": None}})
    assert (await get_item(client, tenant, POLICIES, first["_id"]))["labels"] == []


async def test_a_router_made_natively_reads_as_a_policy(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ann = await factories.member(client, tenant)
    router = await factories.post(
        client,
        tenant,
        "routers",
        {
            "name": "Front desk",
            "labels": ["desk"],
            "greeting": {"audio_url": "https://example.com/hello.mp3"},
            "menu": {
                "prompt": {"text": "Press 1"},
                "options": [
                    {
                        "digit": "1",
                        "action": {"type": "ring", "target": {"type": "member", "id": ann["id"]}},
                    }
                ],
            },
            "no_answer_message": {"text": "Sorry."},
        },
    )
    got = await get_item(client, tenant, POLICIES, router["id"])
    assert {
        k: got[k] for k in ("name", "slug", "isEnabled", "greetingMessage", "noAnswerMessage")
    } == {
        "name": "Front desk",
        "slug": "front-desk",
        "isEnabled": True,
        "greetingMessage": None,  # an audio greeting has no text
        "noAnswerMessage": "Sorry.",
    }
    assert [label["name"] for label in got["labels"]] == ["desk"]
    assert (got["repeatPolicyIfNoOneAnswers"], got["repeatPolicyIfNoOneAnswersTimes"]) == (False, 1)
    # It rings no escalation policy, so it has no rules and takes none.
    assert (await ok(client, "POST", f"{RULES}/count", tenant)) == {"count": 0}
    refused = await send(
        client,
        "POST",
        RULES,
        tenant,
        {"data": {"incomingCallPolicyId": router["id"], "userId": ann["id"]}},
    )
    assert "does not ring an escalation policy" in error_of(refused, 400)
    repeat = await send(
        client,
        "PUT",
        f"{POLICIES}/{router['id']}",
        tenant,
        {"data": {"repeatPolicyIfNoOneAnswers": True}},
    )
    assert "repeatPolicyIfNoOneAnswers" in error_of(repeat, 400)
    # Fields it does have are written to the native router as usual.
    await ok(client, "PUT", f"{POLICIES}/{router['id']}", tenant, {"data": {"isEnabled": False}})
    assert (await _router(client, tenant, router["id"]))["enabled"] is False


async def test_deleting_a_policy_keeps_an_escalation_policy_still_in_use(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    ann = await factories.member(client, tenant)
    created = await create_policy(client, tenant)
    await create_rule(client, tenant, incomingCallPolicyId=created["_id"], userId=ann["id"])
    rules_id = (await _router(client, tenant, created["_id"]))["action"]["target"]["id"]
    await factories.post(
        client, tenant, "services", {"name": "API", "escalation_policy_id": rules_id}
    )
    await ok(client, "DELETE", f"{POLICIES}/{created['_id']}", tenant)
    assert (await _policy(client, tenant, rules_id))["levels"][0]["targets"][0]["id"] == ann["id"]
    gone = await client.get(f"{API}/routers/{created['_id']}", headers=tenant.headers)
    assert gone.status_code == 404
