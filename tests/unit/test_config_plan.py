"""The plan of a configuration document, pure: documents in, changes out."""

from __future__ import annotations

from typing import Any

from callroute.config_documents.plan import diff, make_plan
from callroute.config_documents.references import references
from callroute.config_documents.schema import Document


def doc(**kinds: Any) -> Document:
    return Document.model_validate({"version": 1, **kinds})


def test_a_diff_names_each_leaf_that_changes_and_a_list_of_another_length_whole() -> None:
    old = {"greeting": {"text": "Hi", "voice": None}, "numbers": ["+1"], "levels": [{"a": 1}]}
    new = {
        "greeting": {"text": "Hello", "voice": None},
        "numbers": ["+1", "+2"],
        "levels": [{"a": 2}],
    }
    assert [(c.field, c.old, c.new) for c in diff(old, new)] == [
        ("greeting.text", "Hi", "Hello"),
        ("levels[0].a", 1, 2),
        ("numbers", ["+1"], ["+1", "+2"]),
    ]


def test_values_are_compared_as_the_services_keep_them() -> None:
    current = doc(
        members=[{"name": "Ann", "email": "ann@example.com"}],
        contacts=[{"name": "C", "labels": ["vip"]}],
        schedules=[
            {
                "name": "S",
                "time_zone": "UTC",
                "layers": [
                    {
                        "name": "Layer 1",
                        "start": "2026-01-05T09:00:00Z",
                        "rotation_length": 1,
                        "rotation_unit": "days",
                        "members": ["Ann"],
                    }
                ],
            }
        ],
    )
    desired = doc(
        members=[{"name": "Ann", "email": "Ann@Example.com"}],
        contacts=[{"name": "C", "labels": ["VIP", "vip"]}],
        schedules=[
            {
                "name": "S",
                "time_zone": "UTC",
                "layers": [
                    {
                        "start": "2026-01-05T10:00:00+01:00",
                        "rotation_length": 1,
                        "rotation_unit": "days",
                        "members": ["Ann"],
                    }
                ],
            }
        ],
    )
    assert make_plan(current, desired, prune=True).changes == []


def test_prune_deletes_only_in_the_kinds_the_document_lists_dependents_first() -> None:
    current = doc(
        members=[{"name": "Ann"}],
        bots=[{"name": "B", "websocket_url": "wss://b.example.com"}],
        urgencies=[{"name": "High", "position": 0}],
        routers=[{"name": "R", "action": {"type": "voicemail"}}],
    )
    desired = Document.model_validate({"version": 1, "members": [], "routers": [], "urgencies": []})
    plan = make_plan(current, desired, prune=True, protected={("urgencies", "High")})
    assert [(c.action, c.kind, c.name) for c in plan.changes] == [
        ("delete", "routers", "R"),
        ("delete", "members", "Ann"),
    ]
    assert plan.undeclared == [("bots", "B")]
    kept = make_plan(current, desired, prune=False, protected={("urgencies", "High")})
    assert kept.changes == []
    assert kept.undeclared == [("members", "Ann"), ("bots", "B"), ("routers", "R")]


def test_an_urgency_without_a_position_keeps_the_one_it_has() -> None:
    current = doc(urgencies=[{"name": "Critical", "position": 4}])
    assert make_plan(current, doc(urgencies=[{"name": "Critical"}]), prune=False).changes == []


def test_every_reference_is_found_at_its_path() -> None:
    document = doc(
        teams=[{"name": "T", "members": ["Ann"], "default_escalation_policy": "P"}],
        routers=[
            {
                "name": "R",
                "connection": "Sim",
                "menu": {
                    "prompt": {"text": "Press 1"},
                    "options": [
                        {"digit": "1", "action": {"type": "sip", "sip_trunk": "PBX"}},
                        {
                            "digit": "2",
                            "action": {
                                "type": "ring",
                                "urgency": "High",
                                "target": {"type": "team", "name": "T"},
                            },
                        },
                    ],
                },
            }
        ],
    )
    assert [(r.path, r.kind, r.name) for r in references(document)] == [
        ("teams[0].members[0]", "members", "Ann"),
        ("teams[0].default_escalation_policy", "escalation_policies", "P"),
        ("routers[0].connection", "connections", "Sim"),
        ("routers[0].menu.options[0].action.sip_trunk", "sip_trunks", "PBX"),
        ("routers[0].menu.options[1].action.target", "teams", "T"),
        ("routers[0].menu.options[1].action.urgency", "urgencies", "High"),
    ]
