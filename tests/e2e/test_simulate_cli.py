"""A newcomer's first call: `callroute demo` prints a `callroute simulate` command, which
places the call through the running server's API and narrates it from there."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.served import Served, served

pytestmark = pytest.mark.e2e
__all__ = ["served"]  # the fixture, for this module's tests


def simulate(server: Served, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLROUTE_")}
    return subprocess.run(
        [sys.executable, "-m", "callroute", *args, "--url", server.url],
        capture_output=True,
        text=True,
        env={**env, "XDG_CONFIG_HOME": str(cwd)},
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_the_printed_simulate_command_walks_the_whole_pipeline(
    served: Served, tmp_path: Path
) -> None:
    command = served.demo_output.strip().splitlines()[-1].strip()
    assert command.startswith(".venv/bin/callroute simulate call ")
    assert f'--api-key "{served.key}"' in command
    # The printed command as it is, with phones that answer busy at once (the printed ones ring
    # out, 15 s a level, on the server's real clock): the later option wins.
    args = [*shlex.split(command)[1:], "--script", "Ann=busy,Bob=busy,Chris=voicemail"]
    result = simulate(served, *args, "--message-seconds", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    expected_in_order = [
        "says: “Thanks for calling the demo hotline.”",
        "asks: “Press 1 for the on-call engineer, 2 to leave a message.”",
        "caller pressed “1”",
        "level started: level 1, round 1",
        "level started: level 2, round 1",
        "records a voicemail",
        "call ended: voicemail",
        "final status: voicemail",
    ]
    positions = [out.find(text) for text in expected_in_order]
    assert all(p >= 0 for p in positions), out
    assert positions == sorted(positions), out
    assert "rings Ann at +14155550101, Bob at +14155550102, Chris at +14155550103" in out, out


def test_simulate_refuses_a_number_that_is_not_a_simulator_line(
    served: Served, tmp_path: Path
) -> None:
    key = ("--api-key", served.key)
    result = simulate(served, "simulate", "call", "--to", "+14155550177", *key, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("error: ")
    assert "no phone number +14155550177" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    bad = simulate(
        served, "simulate", "call", "--to", served.number, "--script", "Ann=dance", *key,
        cwd=tmp_path,
    )  # fmt: skip
    assert bad.returncode == 1
    assert "unknown phone behaviour" in bad.stderr
    assert len(bad.stderr.splitlines()) == 1
