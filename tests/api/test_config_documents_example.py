"""The example of docs/config-as-code.md stays true: the demo hotline's document applies to a
fresh project, and applying it again changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import yaml

from tests import factories
from tests.conftest import Tenant

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "demo-hotline.yaml"


async def test_the_demo_hotline_document_applies_once(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    document: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text())
    await factories.post(client, tenant, "connections", {"name": "Simulator", "kind": "simulator"})
    url = "/api/v1/config/apply"
    first = await client.post(url, json={"document": document}, headers=tenant.headers)
    assert first.status_code == 200, first.text
    assert [(c["kind"], c["name"]) for c in first.json()["changes"]] == [
        ("members", "Ann"),
        ("members", "Bob"),
        ("members", "Chris"),
        ("members", "Demo Owner"),
        ("schedules", "Demo on-call"),
        ("escalation_policies", "Demo escalation"),
        ("routers", "Demo hotline"),
    ]
    again = await client.post(url, json={"document": document}, headers=tenant.headers)
    assert again.json() == {"changes": [], "undeclared": [], "applied": True}
    edited = yaml.safe_load(EXAMPLE.read_text())
    edited["escalation_policies"][0]["levels"][0]["ring_timeout_seconds"] = 25
    body = {"document": edited, "dry_run": True}
    plan = await client.post(url, json=body, headers=tenant.headers)
    assert plan.json()["changes"] == [
        {
            "action": "change",
            "kind": "escalation_policies",
            "name": "Demo escalation",
            "fields": [{"field": "levels[0].ring_timeout_seconds", "from": 15, "to": 25}],
        }
    ]
