"""Members API: create, read, list, update, delete, with the rules users rely on."""

from __future__ import annotations

import httpx

from callroute.app_context import AppContext
from callroute.auth.permissions import Role
from tests.conftest import Tenant, make_key

URL = "/api/v1/members"


async def create(client: httpx.AsyncClient, tenant: Tenant, **body: object) -> dict[str, object]:
    body.setdefault("name", "Ann Responder")
    response = await client.post(URL, json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    data: dict[str, object] = response.json()
    return data


async def test_create_normalises_phone_numbers_to_e164(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    member = await create(
        client,
        tenant,
        email="Ann@Example.com",
        phones=[{"number": "+1 (415) 555-0148", "label": "work"}, {"number": "+44 20 7183 8750"}],
    )
    assert member["email"] == "ann@example.com"
    assert member["role"] == "member"
    assert member["phones"] == [
        {"number": "+14155550148", "label": "work", "position": 0, "verified": False},
        {"number": "+442071838750", "label": "mobile", "position": 1, "verified": False},
    ]
    fetched = await client.get(f"{URL}/{member['id']}", headers=tenant.headers)
    assert fetched.status_code == 200
    assert fetched.json() == member


async def test_invalid_phone_is_422_naming_the_field(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.post(
        URL,
        json={"name": "Bob", "phones": [{"number": "+14155550148"}, {"number": "12345"}]},
        headers=tenant.headers,
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["field"] == "phones[1].number"
    assert "12345" in error["message"]
    listing = await client.get(URL, headers=tenant.headers)
    assert listing.json()["total"] == 0  # nothing half-created


async def test_duplicate_phone_in_one_member_is_rejected(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.post(
        URL,
        json={"name": "Bob", "phones": [{"number": "+14155550148"}, {"number": "+1 415 555 0148"}]},
        headers=tenant.headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "phones[1].number"


async def test_email_is_unique_per_project_case_insensitively(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    await create(client, tenant, email="ann@example.com")
    response = await client.post(
        URL, json={"name": "Ann 2", "email": "ANN@example.com"}, headers=tenant.headers
    )
    assert response.status_code == 409
    assert response.json()["error"]["field"] == "email"
    # Another project may have its own ann@example.com.
    await create(client, other_tenant, email="ann@example.com")


async def test_patch_changes_only_what_was_sent_and_keeps_verification(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    member = await create(
        client,
        tenant,
        email="ann@example.com",
        time_zone="Europe/London",
        phones=[{"number": "+14155550148", "verified": True}],
    )
    response = await client.patch(
        f"{URL}/{member['id']}",
        json={
            "name": "Ann R.",
            "phones": [{"number": "+442071838750"}, {"number": "+14155550148"}],
        },
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["name"] == "Ann R."
    assert updated["email"] == "ann@example.com"
    assert updated["time_zone"] == "Europe/London"
    assert [(p["number"], p["position"], p["verified"]) for p in updated["phones"]] == [
        ("+442071838750", 0, False),
        ("+14155550148", 1, True),
    ]
    cleared = await client.patch(
        f"{URL}/{member['id']}", json={"email": None, "phones": []}, headers=tenant.headers
    )
    assert cleared.json()["email"] is None
    assert cleared.json()["phones"] == []


async def test_patch_rejects_null_for_required_fields(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    member = await create(client, tenant)
    response = await client.patch(
        f"{URL}/{member['id']}", json={"name": None}, headers=tenant.headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "name"


async def test_delete_then_404(client: httpx.AsyncClient, tenant: Tenant) -> None:
    member = await create(client, tenant)
    response = await client.delete(f"{URL}/{member['id']}", headers=tenant.headers)
    assert response.status_code == 200
    assert response.json() == {"id": member["id"], "deleted": True, "removed_references": []}
    again = await client.get(f"{URL}/{member['id']}", headers=tenant.headers)
    assert again.status_code == 404
    assert again.json()["error"]["code"] == "not_found"


async def test_malformed_id_is_404(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.get(f"{URL}/not-an-id", headers=tenant.headers)
    assert response.status_code == 404


async def test_list_pages_with_cursor_sort_and_filters(
    client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext
) -> None:
    from datetime import timedelta

    from callroute.clock import FrozenClock

    assert isinstance(ctx.clock, FrozenClock)
    names = ["delta", "alpha", "echo", "charlie", "bravo"]
    for index, name in enumerate(names):
        role = "admin" if index % 2 else "member"
        await create(
            client, tenant, name=name, role=role, phones=[{"number": f"+1415555010{index}"}]
        )
        ctx.clock.advance(timedelta(minutes=1))

    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 2, "sort": "name"}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get(URL, params=params, headers=tenant.headers)).json()
        assert page["total"] == 5
        seen += [m["name"] for m in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(names)

    newest = (
        await client.get(URL, params={"sort": "-created_at", "limit": 1}, headers=tenant.headers)
    ).json()
    assert newest["data"][0]["name"] == "bravo"

    admins = (await client.get(URL, params={"role": "admin"}, headers=tenant.headers)).json()
    assert sorted(m["name"] for m in admins["data"]) == ["alpha", "charlie"]
    assert admins["total"] == 2

    by_phone = (
        await client.get(URL, params={"phone": "+1 415 555 0102"}, headers=tenant.headers)
    ).json()
    assert [m["name"] for m in by_phone["data"]] == ["echo"]

    window = (
        await client.get(
            URL,
            params={
                "created_after": "2026-03-02T09:01:00Z",
                "created_before": "2026-03-02T09:03:00Z",
            },
            headers=tenant.headers,
        )
    ).json()
    assert [m["name"] for m in window["data"]] == ["alpha", "echo"]


async def test_list_rejects_bad_parameters(client: httpx.AsyncClient, tenant: Tenant) -> None:
    cases = {
        "limit=0": "limit",
        "limit=201": "limit",
        "limit=ten": "limit",
        "sort=email": "sort",
        "rol=admin": "rol",
        "cursor=%%%": "cursor",
        "role=god": "role",
        "created_after=yesterday": "created_after",
    }
    for query, field in cases.items():
        response = await client.get(f"{URL}?{query}", headers=tenant.headers)
        assert response.status_code == 422, query
        assert response.json()["error"]["field"] == field, query


async def test_cursor_from_another_sort_is_rejected(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    for name in ("a", "b", "c"):
        await create(client, tenant, name=name)
    page = (
        await client.get(URL, params={"limit": 1, "sort": "name"}, headers=tenant.headers)
    ).json()
    response = await client.get(
        URL,
        params={"limit": 1, "sort": "-name", "cursor": page["next_cursor"]},
        headers=tenant.headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "cursor"


async def test_owner_rules(client: httpx.AsyncClient, tenant: Tenant, ctx: AppContext) -> None:
    owner = await create(client, tenant, name="Olga", role="owner")
    admin_key = await make_key(ctx, tenant, role=Role.ADMIN)
    admin = {"Authorization": f"Bearer {admin_key}"}
    # An admin key may manage members but not owners.
    assert (
        await client.post(URL, json={"name": "X", "role": "owner"}, headers=admin)
    ).status_code == 403
    assert (
        await client.patch(f"{URL}/{owner['id']}", json={"role": "member"}, headers=admin)
    ).status_code == 403
    assert (await client.delete(f"{URL}/{owner['id']}", headers=admin)).status_code == 403
    # The last owner can be neither demoted nor deleted, even by an owner key.
    demote = await client.patch(
        f"{URL}/{owner['id']}", json={"role": "admin"}, headers=tenant.headers
    )
    assert demote.status_code == 409
    assert (await client.delete(f"{URL}/{owner['id']}", headers=tenant.headers)).status_code == 409
    await create(client, tenant, name="Second owner", role="owner")
    assert (await client.delete(f"{URL}/{owner['id']}", headers=tenant.headers)).status_code == 200
