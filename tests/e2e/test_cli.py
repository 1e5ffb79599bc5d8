"""The `callroute` command, run as a user runs it: a real process, real databases."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from callroute.app_context import AppContext
from tests.conftest import TEST_SECRET_KEY

pytestmark = pytest.mark.e2e


def run_cli(
    *args: str, db_url: str, check: bool = True, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CALLROUTE_DATABASE_URL": db_url,
        "CALLROUTE_SECRET_KEY": TEST_SECRET_KEY,
        "CALLROUTE_LOG_FORMAT": "json",
        "COLUMNS": "200",
        **(extra_env or {}),
    }
    result = subprocess.run(
        [sys.executable, "-m", "callroute", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The error an admin command printed, after the line that says which database it used."""
    assert result.returncode != 0
    lines = [
        line
        for line in result.stderr.splitlines()
        if line.strip() and not line.startswith("database: ")
    ]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr
    return lines[0]


async def test_init_prints_the_key_alone_on_the_last_line(
    db_url: str, client: httpx.AsyncClient, ctx: AppContext
) -> None:
    result = run_cli("init", "--project", "Acme Ops", db_url=db_url)
    key = result.stdout.rstrip("\n").splitlines()[-1]
    assert key.startswith("crk_")
    assert " " not in key
    project = await client.get("/api/v1/project", headers={"Authorization": f"Bearer {key}"})
    assert project.status_code == 200
    assert project.json()["slug"] == "acme-ops"

    again = run_cli("init", "--project", "Acme Ops", db_url=db_url, check=False)
    assert "already exists" in one_line_error(again)


async def test_api_key_create_list_revoke(
    db_url: str, client: httpx.AsyncClient, ctx: AppContext
) -> None:
    run_cli("init", "--project", "Acme", db_url=db_url)
    created = run_cli(
        "api-key",
        "create",
        "--project",
        "acme",
        "--name",
        "grafana",
        "--permission",
        "calls:read",
        "--permission",
        "routers:read",
        db_url=db_url,
    )
    key = created.stdout.splitlines()[-1]
    headers = {"ApiKey": key}
    assert (await client.get("/api/v1/members", headers=headers)).status_code == 403

    listing = run_cli("api-key", "list", "--project", "acme", db_url=db_url).stdout
    prefix = key.rsplit("_", 1)[0]
    assert prefix in listing
    assert "grafana" in listing
    assert key not in listing

    revoked = run_cli("api-key", "revoke", prefix, "--project", "acme", db_url=db_url)
    assert prefix in revoked.stdout
    response = await client.get("/api/v1/project", headers=headers)
    assert response.status_code == 401

    both = run_cli(
        "api-key",
        "create",
        "--project",
        "acme",
        "--name",
        "x",
        "--role",
        "viewer",
        "--permission",
        "calls:read",
        db_url=db_url,
        check=False,
    )
    assert "exactly one" in one_line_error(both)
    missing = run_cli(
        "api-key",
        "create",
        "--project",
        "nope",
        "--name",
        "x",
        "--role",
        "viewer",
        db_url=db_url,
        check=False,
    )
    assert "no project 'nope'" in one_line_error(missing)


def test_serve_refuses_an_unmigrated_database_then_migrate_fixes_it(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/fresh.db"
    refused = run_cli("serve", "--port", "1", db_url=url, check=False)
    assert "run `callroute migrate`" in one_line_error(refused)
    migrated = run_cli("migrate", db_url=url)
    assert "schema is current" in migrated.stdout


def test_configuration_and_connection_errors_are_one_line(tmp_path: Path) -> None:
    bad_url = run_cli("migrate", db_url="mysql://u@h/db", check=False)
    assert "CALLROUTE_DATABASE_URL" in one_line_error(bad_url)
    unreachable = run_cli(
        "migrate",
        db_url="postgresql://postgres@127.0.0.1:1/x",
        check=False,
        extra_env={"CALLROUTE_DB_CONNECT_TIMEOUT_SECONDS": "2"},
    )
    assert "cannot reach the database" in one_line_error(unreachable)
    no_secret = run_cli(
        "serve",
        db_url="postgresql://postgres@127.0.0.1:1/x",
        check=False,
        extra_env={"CALLROUTE_SECRET_KEY": ""},
    )
    assert "CALLROUTE_SECRET_KEY is required" in one_line_error(no_secret)


def test_version_and_help(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/x.db"
    assert run_cli("version", db_url=url).stdout.strip()
    for command in ([], ["serve"], ["init"], ["api-key"], ["api-key", "create"], ["migrate"]):
        result = run_cli(*command, "--help", db_url=url)
        assert "Usage" in result.stdout
    # Shell completion: the script `--install-completion` writes into the shell's rc file.
    completion = run_cli("--show-completion", "bash", db_url=url)
    assert "_callroute_completion()" in completion.stdout
    assert "complete -o default -F _callroute_completion callroute" in completion.stdout


@pytest.mark.parametrize(
    "command",
    [
        ["api-key", "list", "--project", "acme"],
        ["projects"],
        ["migrate"],
        ["serve", "--port", "1"],
        ["demo"],
        ["init", "--project", "Acme"],
    ],
)
def test_an_admin_command_in_an_empty_directory_creates_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    """Without CALLROUTE_DATABASE_URL, outside the directory of `make run`, no database and no
    key file appear: one line says where to run, and the exit code is 5."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLROUTE_")}
    result = subprocess.run(
        [sys.executable, "-m", "callroute", *command],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 5, result.stderr
    assert result.stderr.splitlines() == [
        "error: no database at ./callroute.db: run `callroute migrate` in the directory of "
        "`make run`, or set CALLROUTE_DATABASE_URL"
        + ("; `callroute migrate --create` makes one here" if command == ["migrate"] else "")
    ]
    assert list(tmp_path.iterdir()) == []


def test_admin_commands_say_which_database_and_create_one_only_when_asked(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLROUTE_")}
    env["CALLROUTE_SECRET_KEY"] = TEST_SECRET_KEY

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "callroute", *args],
            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60, check=False,
        )  # fmt: skip

    created = run("migrate", "--create")
    assert created.returncode == 0, created.stderr
    assert created.stderr.splitlines()[0] == "database: sqlite+aiosqlite:///./callroute.db (new)"
    run("init", "--project", "Acme Ops")
    listed = run("projects")
    assert listed.stderr.splitlines() == ["database: sqlite+aiosqlite:///./callroute.db"]
    assert listed.stdout.split()[:5] == ["slug", "name", "id", "created", "acme-ops"]
    # A database's password is never printed.
    env["CALLROUTE_DATABASE_URL"] = "postgresql://postgres:hunter2@127.0.0.1:1/x"
    env["CALLROUTE_DB_CONNECT_TIMEOUT_SECONDS"] = "2"
    away = run("projects")
    assert (
        away.stderr.splitlines()[0] == "database: postgresql+asyncpg://postgres:***@127.0.0.1:1/x"
    )
    assert "hunter2" not in away.stderr
