"""What a running process shares between requests and workers."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from functools import cache, cached_property

import certifi
import httpx

from callroute.api.errors import ErrorRenderers
from callroute.auth.ratelimit import RateLimiter
from callroute.clock import Clock, SystemClock
from callroute.config import Settings
from callroute.crypto import SecretKeys
from callroute.db.session import Database
from callroute.metrics import Metrics
from callroute.providers.base import ProviderEnv


@cache
def tls_context() -> ssl.SSLContext:
    """One per process: loading the CA bundle costs ~50 ms of CPU each time it is done."""
    return ssl.create_default_context(cafile=certifi.where())


def http_client() -> httpx.AsyncClient:
    """The client for outgoing requests (providers, webhooks)."""
    return httpx.AsyncClient(timeout=10.0, verify=tls_context())


@dataclass
class AppContext:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    metrics: Metrics = field(default_factory=Metrics)
    renderers: ErrorRenderers = field(default_factory=ErrorRenderers)
    rate_limiter: RateLimiter | None = None

    http: httpx.AsyncClient = field(default_factory=http_client)
    runner: object | None = None  # the in-process timer runner, when this process has one

    def __post_init__(self) -> None:
        if self.rate_limiter is None:
            self.rate_limiter = RateLimiter(self.settings.rate_limit_per_minute)
        self.db.metrics = self.metrics
        self.db.on_pool_use(self.metrics.db_pool_in_use.inc, self.metrics.db_pool_in_use.dec)

    @cached_property
    def secret_keys(self) -> SecretKeys:
        return self.settings.secret_keys()

    @property
    def provider_env(self) -> ProviderEnv:
        return ProviderEnv(
            secret_keys=self.secret_keys,
            public_url=self.settings.public_url,
            http=self.http,
            retry_backoff=self.settings.provider_retry_backoff_seconds,
            max_retry_backoff=self.settings.provider_retry_max_backoff_seconds,
            twilio_api_url=self.settings.twilio_api_url,
        )

    def kick_runner(self) -> None:
        """Let the in-process runner see work a request just committed without waiting."""
        kick = getattr(self.runner, "kick", None)
        if kick is not None:
            kick()
