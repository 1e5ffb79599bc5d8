"""Pure pieces of the foundation: phone numbers, keys, permissions, rate limit, cursors, ids,
settings."""

from __future__ import annotations

import itertools
import os
import stat
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from callroute.api.schemas import normalise_phone
from callroute.auth import keys
from callroute.auth.permissions import (
    ALL_PERMISSIONS,
    ROLE_PERMISSIONS,
    Role,
    expand,
    permissions_for,
    unknown_permissions,
)
from callroute.auth.ratelimit import RateLimiter
from callroute.config import Settings
from callroute.db.pagination import Cursor, SortSpec
from callroute.errors import ConfigError, ValidationFailed
from callroute.ids import new_id, parse_id
from callroute.validation import field_path


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+1 (415) 555-0148", "+14155550148"),
        ("+44 20 7183 8750", "+442071838750"),
        ("+61 2 9374 4000", "+61293744000"),
        ("+14155550148", "+14155550148"),
    ],
)
def test_phone_numbers_normalise_to_e164(raw: str, e164: str) -> None:
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize("raw", ["12345", "+12345", "", "phone", "+1 415 555", "4155550148"])
def test_bad_phone_numbers_are_rejected(raw: str) -> None:
    with pytest.raises(ValueError, match="phone number"):
        normalise_phone(raw)


def test_generated_keys_parse_and_match_only_themselves() -> None:
    new = keys.generate_key()
    assert keys.prefix_of(new.secret) == new.prefix
    assert keys.matches(new.secret, new.key_hash)
    assert not keys.matches(new.secret + "x", new.key_hash)
    assert keys.generate_key().secret != new.secret
    for bad in ("", "crk_", "crk_abc_def", "xyz_AAAAAAAA_" + "B" * 40, new.secret + "_extra"):
        assert keys.prefix_of(bad) is None


def test_roles_nest_and_writes_imply_reads() -> None:
    order = [Role.VIEWER, Role.MEMBER, Role.ADMIN, Role.OWNER]
    for lower, higher in itertools.pairwise(order):
        assert ROLE_PERMISSIONS[lower] < ROLE_PERMISSIONS[higher]
    assert ROLE_PERMISSIONS[Role.OWNER] == ALL_PERMISSIONS
    assert "project:write" not in ROLE_PERMISSIONS[Role.ADMIN]
    assert all(p.endswith(":read") for p in ROLE_PERMISSIONS[Role.VIEWER])
    assert expand(["routers:write"]) == {"routers:write", "routers:read"}
    assert permissions_for(None, ["calls:read"]) == {"calls:read"}
    assert unknown_permissions(["calls:read", "calls:delete", "x"]) == ["calls:delete", "x"]


def test_rate_limiter_refills_over_time() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=2, monotonic=lambda: now[0])
    assert limiter.check("k") is None
    assert limiter.check("k") is None
    assert limiter.check("k") == 30  # one token every 30 s
    now[0] = 30.0
    assert limiter.check("k") is None
    assert RateLimiter(per_minute=0).check("k") is None  # 0 disables


def test_cursor_round_trip_and_tampering() -> None:
    cursor = Cursor(SortSpec("created_at", True), datetime(2026, 1, 1, tzinfo=UTC), new_id())
    assert Cursor.decode(cursor.encode()) == cursor
    named = Cursor(SortSpec("name", False), "Ann", uuid.uuid4())
    assert Cursor.decode(named.encode()) == named
    for bad in ("", "!!!", "eyJ4IjogMX0", "bm90IGpzb24"):
        with pytest.raises(ValidationFailed) as info:
            Cursor.decode(bad)
        assert info.value.field == "cursor"


def test_ids_are_time_ordered_uuid7() -> None:
    first, second = new_id(), new_id()
    assert first.version == 7
    assert second.version == 7
    assert first.int >> 80 <= second.int >> 80  # millisecond prefix never goes back
    assert parse_id(str(first)) == first
    assert parse_id("nope") is None


def test_ids_stay_unique_in_bulk_and_across_a_fork() -> None:
    assert len({new_id() for _ in range(5000)}) == 5000  # across several refills of the pool
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next id, to the parent
        os.write(write, new_id().bytes)
        os._exit(0)
    os.waitpid(pid, 0)
    childs = uuid.UUID(bytes=os.read(read, 16))
    random_bits = (0x0FFF << 64) | ((1 << 62) - 1)  # all but the time and the version
    # Not merely a later millisecond: the child did not reuse the parent's random bytes.
    assert childs.int & random_bits != new_id().int & random_bits
    os.close(read)
    os.close(write)


def test_field_paths_name_nested_fields() -> None:
    assert field_path(("body", "phones", 1, "number")) == "phones[1].number"
    assert field_path(("query", "limit")) == "limit"
    assert field_path(("body",)) is None


def test_settings_normalise_database_urls() -> None:
    assert Settings(database_url="sqlite:///x.db").database_url == "sqlite+aiosqlite:///x.db"
    pg = Settings(database_url="postgresql://u:p@h/db").database_url
    assert pg == "postgresql+asyncpg://u:p@h/db"
    with pytest.raises(ValueError, match="only sqlite and postgresql"):
        Settings(database_url="mysql://u@h/db")
    with pytest.raises(ValueError, match="http"):
        Settings(public_url="example.com")


def test_secret_key_is_generated_once_for_the_embedded_default(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/data/callroute.db")
    key = settings.resolve_secret_key()
    key_file = tmp_path / "data" / "callroute.db.key"
    assert key_file.read_text().strip() == key
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert settings.resolve_secret_key() == key  # stable across restarts


def test_secret_key_is_required_with_postgresql() -> None:
    with pytest.raises(ConfigError, match="CALLROUTE_SECRET_KEY is required"):
        Settings(database_url="postgresql://h/db").resolve_secret_key()
    with pytest.raises(ConfigError, match="at least 32"):
        Settings(database_url="postgresql://h/db", secret_key="short").resolve_secret_key()
