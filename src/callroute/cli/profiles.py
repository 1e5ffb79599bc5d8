"""The client commands' user configuration: named profiles of a server URL and an API key, in
``$XDG_CONFIG_HOME/callroute/config.toml`` (``~/.config/...`` without it), mode 0600."""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from callroute.cli.exits import CliFailure, Exit

DEFAULT_PROFILE = "default"
DEFAULT_URL = "http://127.0.0.1:8080"  # where `make run` serves


@dataclass(frozen=True)
class Profile:
    url: str
    api_key: str | None


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "callroute" / "config.toml"


def read_profiles(path: Path) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    try:
        parsed = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CliFailure(f"cannot read {path}: {exc}") from exc
    profiles = parsed.get("profiles", {})
    if not isinstance(profiles, dict):
        raise CliFailure(f"{path}: `profiles` is not a table")
    return {str(name): dict(values) for name, values in profiles.items()}


def write_profile(path: Path, name: str, profile: Profile) -> None:
    """Adds or replaces one profile; the file holds keys, so only its owner may read it, from
    the moment it exists (created 0600, then moved over the old one)."""
    profiles = read_profiles(path)
    profiles[name] = {"url": profile.url}
    if profile.api_key:
        profiles[name]["api_key"] = profile.api_key
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    lines = ["# Written by `callroute login`; one table per profile (--profile NAME).", ""]
    for profile_name, values in profiles.items():
        # JSON strings are valid TOML basic strings (the same escapes).
        lines.append(f"[profiles.{json.dumps(profile_name)}]")
        lines.extend(f"{key} = {json.dumps(str(value))}" for key, value in values.items())
        lines.append("")
    temporary = path.with_name(path.name + ".tmp")
    temporary.unlink(missing_ok=True)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(lines))
    os.replace(temporary, path)


def resolve(url: str | None, api_key: str | None, profile: str | None) -> Profile:
    """--url / --api-key (or CALLROUTE_URL / CALLROUTE_API_KEY) win over the profile's values;
    a profile named explicitly must exist."""
    path = config_path()
    profiles = read_profiles(path)
    chosen = profiles.get(profile or DEFAULT_PROFILE)
    if profile and chosen is None:
        known = ", ".join(sorted(profiles)) or "none"
        raise CliFailure(
            f"no profile {profile!r} in {path} (profiles: {known}); "
            f"write one with `callroute login --profile {profile} ...`"
        )
    chosen = chosen or {}
    return Profile(
        url=(url or chosen.get("url") or DEFAULT_URL).rstrip("/"),
        api_key=api_key or chosen.get("api_key"),
    )


def require_key(profile: Profile) -> str:
    if not profile.api_key:
        raise CliFailure(
            "no API key: pass --api-key, set CALLROUTE_API_KEY, or run `callroute login`",
            Exit.AUTH,
        )
    return profile.api_key
