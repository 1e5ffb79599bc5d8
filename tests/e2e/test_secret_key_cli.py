"""`callroute secret-key` and `callroute secret-key rotate`, run as an operator runs them: a
real process on each database, with the keys in its environment."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from callroute.app_context import AppContext
from tests.conftest import Tenant
from tests.e2e.test_cli import one_line_error, run_cli
from tests.integration.test_key_rotation import (
    KEY_A,
    KEY_B,
    KEY_C,
    ONLY_B,
    ROTATING,
    client_with_key,
    read_secrets,
    seed_secrets,
    stored_values,
)

pytestmark = pytest.mark.e2e


def rotate(
    db_url: str, current: str, previous: str = "", *, check: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {
        "CALLROUTE_SECRET_KEY": current,
        "CALLROUTE_PREVIOUS_SECRET_KEYS": previous,
        "COLUMNS": "400",  # the error names a row: wrapped at 200 columns, it would be two lines
    }
    return run_cli("secret-key", "rotate", db_url=db_url, check=check, extra_env=env)


def test_secret_key_alone_still_prints_a_new_key(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/unused.db"
    first, second = (run_cli("secret-key", db_url=url).stdout for _ in range(2))
    assert len(first.splitlines()) == 1
    assert len(first.strip()) >= 32
    assert first != second
    assert "rotate" in run_cli("secret-key", "--help", db_url=url).stdout
    assert not (tmp_path / "unused.db").exists()  # printing a key touches no database


async def test_rotate_from_key_a_to_key_b(
    db_url: str, ctx: AppContext, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    seeded = await seed_secrets(ctx, client, tenant)
    await read_secrets(ctx.db, seeded, ROTATING)  # B current, A previous: all still readable

    rotated = rotate(db_url, KEY_B, f"{KEY_A},")
    assert rotated.stdout.splitlines() == [
        "connection secrets: 4 re-encrypted, 0 already under the current key",
        "SIP trunk passwords: 1 re-encrypted, 0 already under the current key",
        "webhook signing secrets: 1 re-encrypted, 0 already under the current key",
    ]
    await read_secrets(ctx.db, seeded, ONLY_B)

    once = await stored_values(ctx.db)
    again = rotate(db_url, KEY_B, KEY_A)
    assert again.stdout.splitlines() == [
        "connection secrets: 0 re-encrypted, 4 already under the current key",
        "SIP trunk passwords: 0 re-encrypted, 1 already under the current key",
        "webhook signing secrets: 0 re-encrypted, 1 already under the current key",
    ]
    assert await stored_values(ctx.db) == once

    # Key A alone opens nothing any more: the command says which row, and which settings.
    refused = one_line_error(rotate(db_url, KEY_A, check=False))
    assert refused.startswith("error: cannot decrypt provider_connections row ")
    assert "CALLROUTE_SECRET_KEY differs from the key it was encrypted with; set " in refused
    assert "CALLROUTE_PREVIOUS_SECRET_KEYS during a rotation" in refused
    assert KEY_A not in refused
    assert KEY_B not in refused


async def test_rotate_fails_on_a_value_no_key_opens_and_changes_nothing(
    db_url: str, ctx: AppContext, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    seeded = await seed_secrets(ctx, client, tenant)
    async with client_with_key(ctx, KEY_C) as other:
        stray = await other.post(
            "/api/v1/webhooks", json={"url": "https://hooks.example.com/y"}, headers=tenant.headers
        )
    assert stray.status_code == 201, stray.text
    before = await stored_values(ctx.db)

    failed = rotate(db_url, KEY_B, KEY_A, check=False)
    error = one_line_error(failed)
    assert error.startswith(f"error: cannot decrypt webhook_subscriptions row {stray.json()['id']}")
    assert error.endswith("nothing was re-encrypted")
    assert failed.stdout == ""
    assert await stored_values(ctx.db) == before
    await read_secrets(ctx.db, seeded, ROTATING)  # still under A, still readable during the change


def test_a_short_previous_key_is_refused_before_anything_runs(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/x.db"
    error = one_line_error(rotate(url, KEY_B, "too-short", check=False))
    assert error.startswith("error: CALLROUTE_PREVIOUS_SECRET_KEYS: ")
    assert "too-short" not in error
