"""Settings, read from ``CALLROUTE_*`` environment variables and an optional ``.env`` file."""

from __future__ import annotations

import os
import secrets
from enum import StrEnum
from functools import cached_property
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from callroute.crypto import SecretKeys
from callroute.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./callroute.db"
MIN_SECRET_KEY_LENGTH = 32


class LogFormat(StrEnum):
    AUTO = "auto"  # human-readable on a terminal, JSON otherwise
    JSON = "json"
    CONSOLE = "console"


class Settings(BaseSettings):
    # Inputs are kept out of validation errors: they would print keys and database passwords.
    model_config = SettingsConfigDict(
        env_prefix="CALLROUTE_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        hide_input_in_errors=True,
    )

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL; sqlite+aiosqlite:///path or postgresql+asyncpg://...",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8080",
        description="Externally visible base URL (webhook URLs and signature checks).",
    )
    secret_key: str | None = Field(
        default=None,
        description="Encrypts provider secrets at rest. Generated for the embedded SQLite default.",
    )
    previous_secret_keys: str = Field(
        default="",
        description="Earlier values of CALLROUTE_SECRET_KEY, comma-separated, newest first: "
        "they still decrypt secrets (never encrypt) until `callroute secret-key rotate` has "
        "re-encrypted everything with the current key.",
    )
    log_level: str = "INFO"
    log_format: LogFormat = LogFormat.AUTO
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    rate_limit_per_minute: int = Field(
        default=1200, ge=0, description="Requests per minute per API key; 0 disables the limit."
    )
    auth_failures_per_minute: int = Field(
        default=10,
        ge=0,
        description="Failed authentications a minute from one client address before its "
        "requests are answered 429; 0 disables the throttle.",
    )
    console_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="How often a live console page (calls in progress, a call's narration) "
        "reads the database for changes.",
    )
    console_stream_seconds: float = Field(
        default=300.0,
        ge=0,
        le=3600,
        description="How long one live console stream lasts before the browser reconnects "
        "(it does so at once, and the session is checked again).",
    )
    db_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    timer_lease_seconds: float = Field(
        default=30.0,
        ge=1,
        le=3600,
        description="How long a worker holds a claimed timer before others may take it over.",
    )
    provider_retry_backoff_seconds: float = Field(
        default=0.25,
        ge=0,
        le=60,
        description="First wait before a provider request is retried (it doubles each time).",
    )
    provider_retry_max_backoff_seconds: float = Field(
        default=4.0,
        ge=0,
        le=600,
        description="Longest wait between retries of a provider request, Retry-After included.",
    )
    twilio_api_url: str | None = Field(
        default=None,
        description="Send Twilio's REST requests to this base URL instead of Twilio's own "
        "(a Twilio-compatible API, or a stand-in for tests); unset for Twilio.",
    )
    run_timers: bool = Field(
        default=True, description="Run the timer runner inside `callroute serve` as well."
    )
    webhooks_allow_private_destinations: bool = Field(
        default=False,
        description="Let outgoing webhooks go to loopback, link-local, private, multicast and "
        "other non-public addresses (an on-premises receiver); off, they are refused.",
    )

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(f"not a database URL: {value!r}") from exc
        # Accept the plain scheme names users type and pick our async drivers.
        drivers = {
            "sqlite": "sqlite+aiosqlite",
            "postgresql": "postgresql+asyncpg",
            "postgres": "postgresql+asyncpg",
        }
        if url.drivername in drivers:
            url = url.set(drivername=drivers[url.drivername])
        if url.drivername not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
            raise ValueError("only sqlite and postgresql databases are supported")
        return url.render_as_string(hide_password=False)

    @field_validator("public_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @field_validator("previous_secret_keys")
    @classmethod
    def _previous_keys_long_enough(cls, value: str) -> str:
        keys = _split_keys(value)
        for position, key in enumerate(keys, 1):
            if len(key) < MIN_SECRET_KEY_LENGTH:
                # The position, never the key: this message is printed and logged.
                raise ValueError(
                    f"key {position} of {len(keys)} is shorter than {MIN_SECRET_KEY_LENGTH} "
                    "characters, the minimum for a secret key"
                )
        return value

    @cached_property
    def db_url(self) -> URL:
        return make_url(self.database_url)

    @property
    def is_sqlite(self) -> bool:
        return self.db_url.get_backend_name() == "sqlite"

    @property
    def sqlite_path(self) -> Path | None:
        database = self.db_url.database
        if not self.is_sqlite or not database or database == ":memory:":
            return None
        return Path(database)

    def resolve_secret_key(self) -> str:
        """The key that encrypts secrets at rest.

        The embedded default generates one on first run and keeps it beside the database file
        (mode 0600), so a newcomer needs no set-up. A server database must be given one
        explicitly: generating it silently would make encrypted rows unreadable from any other
        instance.
        """
        if self.secret_key:
            if len(self.secret_key) < MIN_SECRET_KEY_LENGTH:
                raise ConfigError(
                    f"CALLROUTE_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters"
                )
            return self.secret_key
        path = self.sqlite_path
        if path is None:
            raise ConfigError(
                "CALLROUTE_SECRET_KEY is required with a PostgreSQL database; "
                "generate one with `callroute secret-key`"
            )
        key_file = path.with_name(path.name + ".key")
        if key_file.exists():
            return key_file.read_text().strip()
        key = generate_secret_key()
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key + "\n")
        return key

    def secret_keys(self) -> SecretKeys:
        """The keys that encrypt (the current one) and decrypt (it, then the previous ones)."""
        current = self.resolve_secret_key()
        previous = [key for key in _split_keys(self.previous_secret_keys) if key != current]
        return SecretKeys(current, tuple(dict.fromkeys(previous)))


def _split_keys(value: str) -> list[str]:
    # Spaces after commas and a trailing comma are what people type; keys never contain them.
    return [key.strip() for key in value.split(",") if key.strip()]


def generate_secret_key() -> str:
    return secrets.token_urlsafe(48)


def load_settings() -> Settings:
    """Read settings, turning a bad value into one clear line instead of a traceback."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "CALLROUTE_" + str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise ConfigError(f"{name}: {first['msg']}") from exc
