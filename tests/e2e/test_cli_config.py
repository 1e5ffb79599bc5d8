"""`callroute export`, `plan` and `apply` against a real `callroute serve` (the demo seeded),
as a user runs them: the demo brought under code with export, a no-op plan, one field edited
in the file and planned as exactly that field, applied, planned again as nothing; a file with
mistakes planned as every mistake with its path, and nothing changed. One server for the
module: the second test plans the file the first one left, whatever it was."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml

from callroute.cli.exits import Exit
from tests.e2e.test_cli_client import cli
from tests.served import Served, served_module

pytestmark = pytest.mark.e2e
__all__ = ["served_module"]

NEW_GREETING = "Thanks for calling Acme's on-call line."


def routers(server: Served) -> list[dict[str, object]]:
    answer = httpx.get(f"{server.url}/api/v1/routers", headers=server.headers)
    rows: list[dict[str, object]] = answer.json()["data"]
    return rows


def test_export_then_plan_then_apply_an_edited_file(served_module: Served, tmp_path: Path) -> None:
    file = tmp_path / "hotline.yaml"
    exported = cli(served_module, "export", "-f", str(file), cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    document = yaml.safe_load(file.read_text())
    [router] = document["routers"]
    assert router["name"] == "Demo hotline"
    assert served_module.key not in file.read_text()  # no secret is ever exported

    unchanged = cli(served_module, "plan", "-f", str(file), cwd=tmp_path)
    assert unchanged.returncode == Exit.OK, unchanged.stdout + unchanged.stderr

    before = routers(served_module)
    router["greeting"]["text"] = NEW_GREETING
    file.write_text(yaml.safe_dump(document, sort_keys=False))
    planned = cli(served_module, "plan", "-f", str(file), cwd=tmp_path)
    assert planned.returncode == 2, planned.stdout + planned.stderr  # changes, as terraform says
    assert "Demo hotline" in planned.stdout
    assert "greeting.text" in planned.stdout
    assert NEW_GREETING in planned.stdout
    assert planned.stdout.count("→") == 1, planned.stdout  # that field, and nothing else
    assert routers(served_module) == before  # a plan changes nothing

    applied = cli(served_module, "apply", "-f", str(file), cwd=tmp_path)
    assert applied.returncode == Exit.OK, applied.stdout + applied.stderr
    [after] = routers(served_module)
    assert after["greeting"] == {**before[0]["greeting"], "text": NEW_GREETING}  # type: ignore[dict-item]
    again = cli(served_module, "plan", "-f", str(file), cwd=tmp_path)
    assert again.returncode == Exit.OK, again.stdout + again.stderr

    # The export, piped into apply, is a no-op.
    command = [sys.executable, "-m", "callroute"]
    env = cli_environment(served_module, tmp_path)
    with subprocess.Popen(
        [*command, "export"], stdout=subprocess.PIPE, env=env, cwd=tmp_path
    ) as exporting:
        piped = subprocess.run(
            [*command, "apply", "-f", "-"],
            stdin=exporting.stdout,
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
    assert exporting.returncode == 0
    assert piped.returncode == 0, piped.stderr
    assert routers(served_module) == [after]


def test_a_file_with_mistakes_gets_every_mistake_with_its_path(
    served_module: Served, tmp_path: Path
) -> None:
    file = tmp_path / "hotline.yaml"
    assert cli(served_module, "export", "-f", str(file), cwd=tmp_path).returncode == 0
    document = yaml.safe_load(file.read_text())
    before = routers(served_module)
    document["routers"][0]["menu"]["options"][0]["action"]["target"]["name"] = "platfrom"
    document["members"][0]["role"] = "boss"
    file.write_text(yaml.safe_dump(document, sort_keys=False))

    planned = cli(served_module, "plan", "-f", str(file), cwd=tmp_path)
    assert planned.returncode == Exit.ERROR, planned.stdout + planned.stderr
    assert "Traceback" not in planned.stderr
    assert "routers[0].menu.options[0].action.target" in planned.stderr
    assert "platfrom" in planned.stderr
    assert "members[0].role" in planned.stderr
    applied = cli(served_module, "apply", "-f", str(file), cwd=tmp_path)
    assert applied.returncode == Exit.ERROR
    assert routers(served_module) == before  # nothing changed


def cli_environment(server: Served, cwd: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLROUTE_")}
    return env | {
        "XDG_CONFIG_HOME": str(cwd / "config"),
        "CALLROUTE_URL": server.url,
        "CALLROUTE_API_KEY": server.key,
    }
