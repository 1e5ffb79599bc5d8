"""The client's profiles and what a `--script` may name."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from callroute.cli.profiles import Profile, read_profiles, resolve, write_profile
from callroute.cli.simulate import unknown_names


def test_profiles_are_written_private_and_flags_win(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    path = tmp_path / "callroute" / "config.toml"
    write_profile(path, "default", Profile("http://a:8080", "crk_a"))
    write_profile(path, 'prod "eu"', Profile("https://b/", "crk_b"))
    write_profile(path, "default", Profile("http://c:8080", "crk_c"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_profiles(path) == {
        "default": {"url": "http://c:8080", "api_key": "crk_c"},
        'prod "eu"': {"url": "https://b/", "api_key": "crk_b"},
    }
    assert resolve(None, None, None) == Profile("http://c:8080", "crk_c")
    assert resolve(None, None, 'prod "eu"') == Profile("https://b", "crk_b")
    assert resolve("http://d", "crk_d", None) == Profile("http://d", "crk_d")


def test_without_a_profile_the_url_is_where_make_run_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert resolve(None, None, None) == Profile("http://127.0.0.1:8080", None)


def test_a_script_may_name_members_by_name_or_id_and_any_number() -> None:
    members = [{"id": "0190-a", "name": "Ann"}, {"id": "0190-b", "name": "Demo Owner"}]
    script = "ann=busy, Demo Owner=answer,0190-b=busy,+14155550100=answer,sip:x@y=busy"
    assert unknown_names(script, members) == []
    assert unknown_names("Zed=answer,ANN=busy,Bo=busy", members) == ["Zed", "Bo"]
