"""The client commands against a real `callroute serve` (the demo seeded), run as a user runs
them: a process in an empty directory, which they leave empty (they never open a database)."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from callroute.cli.exits import Exit
from tests.served import Served, served_module

pytestmark = pytest.mark.e2e
__all__ = ["served_module"]  # the fixture, for this module's tests

KINDS = ("routers", "numbers", "schedules", "policies", "members", "calls", "alerts")
FAST = "Ann=busy,Bob=busy,Chris=busy"  # every level over at once: a call of a few seconds


def cli(
    server: Served | None,
    *args: str,
    cwd: Path,
    key: str | None = None,
    extra: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLROUTE_")}
    env |= {"XDG_CONFIG_HOME": str(cwd / "config"), "COLUMNS": "80"}
    if server is not None:
        env |= {"CALLROUTE_URL": server.url, "CALLROUTE_API_KEY": key or server.key}
    env |= extra or {}
    return subprocess.run(
        [sys.executable, "-m", "callroute", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def error_line(result: subprocess.CompletedProcess[str], code: Exit) -> str:
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture
def empty(tmp_path: Path) -> Iterator[Path]:
    """A working directory that must stay without a database or key file."""
    yield tmp_path
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "config") == []


@pytest.mark.parametrize("kind", KINDS)
def test_get_prints_the_apis_rows_as_json_yaml_and_a_table(
    served_module: Served, empty: Path, kind: str
) -> None:
    listed = cli(served_module, "get", kind, "-o", "json", cwd=empty)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    path = {"policies": "escalation-policies"}.get(kind, kind)
    api = httpx.get(f"{served_module.url}/api/v1/{path}?limit=200", headers=served_module.headers)
    ids = [row["id"] for row in api.json()["data"]]
    assert [row["id"] for row in rows][: len(ids)] == ids[: len(rows)]
    as_yaml = cli(served_module, "get", kind, "-o", "yaml", cwd=empty)
    assert yaml.safe_load(as_yaml.stdout) == rows
    table = cli(served_module, "get", kind, cwd=empty)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split()[0] in ("name", "number", "started", "created")
    assert len(lines) == 1 + len(rows)
    for row in rows:  # piped: one line per row, never wrapped at 80 columns
        assert any(row["id"] in line for line in lines)


def test_get_one_by_name_and_an_unknown_name(served_module: Served, empty: Path) -> None:
    one = cli(served_module, "get", "routers", "demo hotline", "-o", "json", cwd=empty)
    assert json.loads(one.stdout)["name"] == "Demo hotline"
    members = cli(served_module, "get", "members", "--limit", "2", cwd=empty)
    assert [line.split()[0] for line in members.stdout.splitlines()] == ["name", "Ann", "Bob"]
    missing = cli(served_module, "get", "routers", "Main line", cwd=empty)
    assert error_line(missing, Exit.ERROR) == (
        "error: no router named 'Main line' (known: Demo hotline)"
    )


def test_on_call_by_schedule_policy_and_time(served_module: Served, empty: Path) -> None:
    every = cli(served_module, "on-call", "-o", "json", cwd=empty)
    answers = json.loads(every.stdout)
    assert [(a["kind"], a["name"]) for a in answers] == [
        ("schedule", "Demo on-call"),
        ("policy", "Demo escalation"),
    ]
    at = "2030-01-01T12:00:00+00:00"
    policy = cli(served_module, "on-call", "demo escalation", "--at", at, "-o", "json", cwd=empty)
    (answer,) = json.loads(policy.stdout)
    api = httpx.get(
        f"{served_module.url}/api/v1/escalation-policies/{answer['id']}/on-call",
        params={"at": at},
        headers=served_module.headers,
    )
    assert answer["on_call"] == api.json()
    table = cli(served_module, "on-call", "Demo escalation", cwd=empty).stdout.splitlines()
    assert table[0].split()[:4] == ["schedule", "/", "policy", "level"]
    assert [line.split()[2] for line in table[1:]] == ["1", "2"]  # levels from 1, as the API
    assert "Ann, Bob, Chris" in table[2]
    nobody = cli(served_module, "on-call", "Nights", cwd=empty)
    assert "no schedule or escalation policy named 'Nights'" in error_line(nobody, Exit.ERROR)


def test_a_wrong_key_and_an_unreachable_url_are_one_line_each(
    served_module: Served, empty: Path
) -> None:
    refused = cli(served_module, "get", "routers", key="crk_wrong", cwd=empty)
    assert "invalid API key" in error_line(refused, Exit.AUTH)
    no_key = cli(None, "get", "routers", cwd=empty)
    assert "no API key" in error_line(no_key, Exit.AUTH)
    away = cli(served_module, "get", "routers", "--url", "http://127.0.0.1:9", cwd=empty)
    assert "cannot reach http://127.0.0.1:9" in error_line(away, Exit.UNREACHABLE)


def test_simulate_names_people_and_refuses_unknown_names(
    served_module: Served, empty: Path
) -> None:
    unknown = cli(
        served_module, "simulate", "call", "--to", served_module.number, "--script",
        "Zed=answer,ann=busy", cwd=empty,
    )  # fmt: skip
    assert error_line(unknown, Exit.ERROR) == (
        "error: --script names nobody in the project: Zed "
        "(members: Ann, Bob, Chris, Demo Owner; or give a number)"
    )
    placed = cli(
        served_module, "simulate", "call", "--to", served_module.number, "--digits", "1",
        "--script", FAST, "--message-seconds", "0", cwd=empty,
    )  # fmt: skip
    assert placed.returncode == 0, placed.stderr
    out = placed.stdout
    expected_in_order = [
        "says: “Thanks for calling the demo hotline.”",
        "caller pressed “1”",
        "level started: level 1, round 1",
        "level started: level 2, round 1",
        "rings Ann at +14155550101, Bob at +14155550102, Chris at +14155550103",
        "Chris (+14155550103) ended: busy",
        "call ended: missed",
        "final status: missed",
    ]
    positions = [out.find(text) for text in expected_in_order]
    assert all(p >= 0 for p in positions), out
    assert positions == sorted(positions), out
    assert "r0-l" not in out  # leg ids are named

    call_id = out.splitlines()[0].split()[1].rstrip(":")
    shown = cli(served_module, "calls", "show", call_id, cwd=empty)
    assert shown.stdout.splitlines()[0].startswith(f"call {call_id}: +14155550199 → ")
    assert "Chris (+14155550103) ended: busy" in shown.stdout
    as_json = json.loads(
        cli(served_module, "calls", "show", call_id, "-o", "json", cwd=empty).stdout
    )
    assert as_json["call"]["status"] == "missed"
    assert [e["sequence"] for e in as_json["events"]] == list(range(1, len(as_json["events"]) + 1))


def test_calls_tail_follows_a_new_call_until_ctrl_c(served_module: Served, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CALLROUTE_URL": served_module.url,
        "CALLROUTE_API_KEY": served_module.key,
        "XDG_CONFIG_HOME": str(tmp_path),
    }
    tail = subprocess.Popen(
        [sys.executable, "-m", "callroute", "calls", "tail", "--interval", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        time.sleep(1.5)  # real time: the tail's first read, so the call is a new one to it
        body = {
            "to": served_module.number,
            "from": "+14155550123",
            "digits": ["1"],
            "phones": {"ann": "busy", "bob": "busy", "chris": "busy"},
            "message_seconds": 0,
        }
        placed = httpx.post(
            f"{served_module.url}/api/v1/simulator/calls", json=body, headers=served_module.headers
        )
        assert placed.status_code == 201, placed.text
        short = placed.json()["id"][-8:]
        assert tail.stdout is not None
        seen = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = tail.stdout.readline()
            seen.append(line)
            if line.startswith(f"{short} final status:"):
                break
        assert seen[-1].strip() == f"{short} final status: missed", "".join(seen)
        assert any("+14155550123 →" in line for line in seen)
        tail.send_signal(signal.SIGINT)
        assert tail.wait(timeout=30) == 0
        assert tail.stderr is not None
        assert tail.stderr.read() == ""
    finally:
        if tail.poll() is None:
            tail.kill()
            tail.wait()


def test_login_writes_a_private_profile_that_is_used(served_module: Served, empty: Path) -> None:
    wrong = cli(None, "login", "--url", served_module.url, "--api-key", "crk_nope", cwd=empty)
    assert "invalid API key" in error_line(wrong, Exit.AUTH)
    assert not (empty / "config").exists()
    args = (
        "login",
        "--url",
        served_module.url,
        "--api-key",
        served_module.key,
        "--profile",
        "demo",
    )
    logged = cli(None, *args, cwd=empty)
    assert logged.returncode == 0, logged.stderr
    written = empty / "config" / "callroute" / "config.toml"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert "project Demo (demo)" in logged.stdout
    used = cli(None, "get", "routers", "-o", "json", "--profile", "demo", cwd=empty)
    assert json.loads(used.stdout)[0]["name"] == "Demo hotline"
    by_env = cli(
        None, "get", "numbers", "-o", "json", cwd=empty, extra={"CALLROUTE_PROFILE": "demo"}
    )
    assert json.loads(by_env.stdout)[0]["number"] == served_module.number
    unknown = cli(None, "get", "routers", "--profile", "prod", cwd=empty)
    assert "no profile 'prod'" in error_line(unknown, Exit.ERROR)
