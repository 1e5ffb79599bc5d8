"""What a running process shares between requests and workers."""

from __future__ import annotations

from dataclasses import dataclass, field

from callroute.api.errors import ErrorRenderers
from callroute.auth.ratelimit import RateLimiter
from callroute.clock import Clock, SystemClock
from callroute.config import Settings
from callroute.db.session import Database
from callroute.metrics import Metrics


@dataclass
class AppContext:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    metrics: Metrics = field(default_factory=Metrics)
    renderers: ErrorRenderers = field(default_factory=ErrorRenderers)
    rate_limiter: RateLimiter | None = None

    def __post_init__(self) -> None:
        if self.rate_limiter is None:
            self.rate_limiter = RateLimiter(self.settings.rate_limit_per_minute)
