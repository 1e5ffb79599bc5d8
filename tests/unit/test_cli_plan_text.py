"""`callroute plan` and `apply` in words: the server's changes grouped by kind."""

from __future__ import annotations

from typing import Any

from callroute.cli.http import failure
from callroute.cli.plan_text import render

ANSWER: dict[str, Any] = {
    "changes": [
        {"action": "create", "kind": "routers", "name": "Night line", "fields": []},
        {
            "action": "change",
            "kind": "routers",
            "name": "Main hotline",
            "fields": [
                {"field": "greeting.text", "from": "Hello", "to": "Thanks for calling"},
                {"field": "menu.timeout_seconds", "from": 5, "to": None},
            ],
        },
        {"action": "delete", "kind": "schedules", "name": "Old rota"},
    ],
    "undeclared": [{"kind": "members", "name": "Dana"}],
    "applied": False,
}


def test_a_plan_reads_as_a_diff_grouped_by_kind() -> None:
    assert render(ANSWER, done=False) == [
        "routers:",
        "  + Night line",
        "  ~ Main hotline",
        '      greeting.text: "Hello" → "Thanks for calling"',
        "      menu.timeout_seconds: 5 → null",
        "schedules:",
        "  - Old rota",
        "not in the document (left alone; --prune deletes them):",
        "  members: Dana",
        "Plan: 1 to create, 1 to change, 1 to delete.",
    ]


def test_an_apply_says_what_was_done_and_no_changes_says_so() -> None:
    assert render({**ANSWER, "applied": True}, done=True)[-1] == (
        "Applied: 1 created, 1 changed, 1 deleted."
    )
    assert render({"changes": [], "undeclared": [], "applied": False}, done=False) == [
        "No changes: the server matches the document."
    ]


def test_a_refused_document_gives_every_problem_with_its_path() -> None:
    refused = failure(
        422,
        {
            "error": {
                "code": "validation_error",
                "message": "2 problems in the document",
                "details": {
                    "problems": [
                        {
                            "path": "routers[2].menu.options[0].target",
                            "message": 'no escalation policy named "platfrom"',
                        },
                        {"path": "members[0].phones[0].number", "message": "not a phone number"},
                    ]
                },
            }
        },
    )
    assert str(refused) == "2 problems in the document"
    assert refused.code == 1
    assert refused.details == [
        'routers[2].menu.options[0].target: no escalation policy named "platfrom"',
        "members[0].phones[0].number: not a phone number",
    ]


def test_errors_name_their_field_and_their_exit_code() -> None:
    answer = {"error": {"code": "conflict", "message": "in use by Main hotline", "field": "name"}}
    assert (str(failure(409, answer)), failure(409, answer).code) == (
        "name: in use by Main hotline",
        1,
    )
    assert (
        failure(403, {"error": {"code": "forbidden", "message": "needs routers:write"}}).code == 4
    )
    assert str(failure(502, "<html>", "Bad Gateway")) == "the server answered 502 Bad Gateway"
