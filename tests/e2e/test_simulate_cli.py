"""A newcomer's first call: `callroute demo` then the printed `callroute simulate` command
walks through greeting, menu, two escalation levels and voicemail."""

from __future__ import annotations

import re
import shlex

import pytest

from tests.e2e.test_cli import one_line_error, run_cli

pytestmark = pytest.mark.e2e


def test_the_printed_simulate_command_walks_the_whole_pipeline(db_url: str) -> None:
    demo = run_cli("demo", db_url=db_url)
    assert "owner API key" in demo.stdout
    command = demo.stdout.strip().splitlines()[-1].strip()
    assert command.startswith(".venv/bin/callroute simulate call ")
    again = run_cli("demo", db_url=db_url)  # idempotent: same number, no new key
    assert again.stdout.strip().splitlines()[-1].strip() == command
    assert "API key" not in again.stdout

    args = [*shlex.split(command)[1:], "--fast"]
    result = run_cli(*args, db_url=db_url, extra_env={"CALLROUTE_LOG_LEVEL": "WARNING"})
    out = result.stdout
    expected_in_order = [
        "says: “Thanks for calling the demo hotline.”",
        "asks: “Press 1 for the on-call engineer, 2 to leave a message.”",
        "caller pressed “1”",
        "level started: level=0, round=0",
        "level started: level=1, round=0",
        "records a voicemail",
        "call ended: voicemail",
        "transcript:",
        "final status: voicemail",
    ]
    positions = [out.find(text) for text in expected_in_order]
    assert all(p >= 0 for p in positions), out
    assert positions == sorted(positions), out
    assert re.search(r"rings Ann at \+1\d+, Bob at \+1\d+, Chris at \+1\d+", out), out


def test_simulate_refuses_a_number_that_is_not_a_simulator_line(db_url: str) -> None:
    run_cli("demo", db_url=db_url)
    result = run_cli(
        "simulate", "call", "--to", "+14155550177", "--fast", db_url=db_url, check=False
    )
    assert "no phone number +14155550177" in one_line_error(result)
    bad = run_cli(
        "simulate",
        "call",
        "--to",
        "+14155550177",
        "--script",
        "Ann=dance",
        db_url=db_url,
        check=False,
    )
    assert "unknown phone behaviour" in one_line_error(bad)
