"""A Twilio connection's account: its credentials, stored as settings (public parts) and
encrypted secrets, and the checks a user expects before saving them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import Field, model_validator

from callroute import crypto
from callroute.api.schemas import RequestModel, StrictStr
from callroute.crypto import SecretKeys
from callroute.models import ProviderConnection


@dataclass(frozen=True)
class Credentials:
    account_sid: str
    auth_token: str
    api_key_sid: str | None = None
    api_key_secret: str | None = None
    region: str | None = None
    edge: str | None = None


REGIONS = ("us1", "ie1", "au1", "jp1", "de1", "sg1", "br1", "ca1")
EDGES = (
    "ashburn",
    "dublin",
    "frankfurt",
    "sao-paulo",
    "singapore",
    "sydney",
    "tokyo",
    "umatilla",
    "roaming",
)


class TwilioAccountIn(RequestModel):
    """The Twilio account a connection uses. The auth token (and API key secret) are stored
    encrypted and never returned."""

    account_sid: StrictStr = Field(pattern=r"^AC[0-9a-fA-F]{32}$")
    auth_token: StrictStr = Field(
        pattern=r"^[0-9a-fA-F]{32}$",
        description="The account's primary auth token: it signs Twilio's webhooks.",
    )
    api_key_sid: StrictStr | None = Field(
        default=None,
        pattern=r"^SK[0-9a-fA-F]{32}$",
        description="Optional API key for REST calls (webhooks are still checked with the "
        "auth token).",
    )
    api_key_secret: StrictStr | None = Field(default=None, min_length=16, max_length=100)
    region: StrictStr | None = Field(default=None, description=f"One of {', '.join(REGIONS)}.")
    edge: StrictStr | None = Field(default=None, description=f"One of {', '.join(EDGES)}.")

    @model_validator(mode="after")
    def _consistent(self) -> TwilioAccountIn:
        if (self.api_key_sid is None) != (self.api_key_secret is None):
            raise ValueError("give both `api_key_sid` and `api_key_secret`, or neither")
        if self.region is not None and self.region not in REGIONS:
            raise ValueError(f"region: must be one of {', '.join(REGIONS)}")
        if self.edge is not None and self.edge not in EDGES:
            raise ValueError(f"edge: must be one of {', '.join(EDGES)}")
        return self


def stored(
    account: TwilioAccountIn, secret_keys: SecretKeys
) -> tuple[dict[str, Any], dict[str, str]]:
    """(settings, encrypted secrets) of a connection for ``account``."""
    settings = {
        "account_sid": account.account_sid,
        "api_key_sid": account.api_key_sid,
        "region": account.region,
        "edge": account.edge,
    }
    secrets = {"auth_token": crypto.encrypt(secret_keys, account.auth_token)}
    if account.api_key_secret is not None:
        secrets["api_key_secret"] = crypto.encrypt(secret_keys, account.api_key_secret)
    return {k: v for k, v in settings.items() if v is not None}, secrets


def credentials(connection: ProviderConnection, secret_keys: SecretKeys) -> Credentials:
    return credentials_of(connection.settings, connection.secrets, secret_keys)


def credentials_of(
    settings: dict[str, Any], secrets: dict[str, str], secret_keys: SecretKeys
) -> Credentials:
    return Credentials(
        account_sid=str(settings.get("account_sid", "")),
        auth_token=_decrypt(secret_keys, secrets.get("auth_token", "")),
        api_key_sid=settings.get("api_key_sid"),
        api_key_secret=_decrypt(secret_keys, secrets["api_key_secret"])
        if "api_key_secret" in secrets
        else None,
        region=settings.get("region"),
        edge=settings.get("edge"),
    )


@lru_cache(maxsize=1024)
def _decrypt(secret_keys: SecretKeys, token: str) -> str:
    # Every inbound webhook checks a signature with the token: decrypting once per process
    # and stored value, not once per request.
    return crypto.decrypt(secret_keys, token) if token else ""
