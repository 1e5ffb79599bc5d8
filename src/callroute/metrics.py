"""Prometheus metrics. Each app owns its registry, so several apps (tests) never collide.

Several processes, one truth: ``callroute serve --workers N`` runs N processes behind one
port, and a scrape reaches whichever one accepts it. There, ``PROMETHEUS_MULTIPROC_DIR`` is set
(by ``serve`` itself when the operator has not) before the processes start; every process
writes its values to files in that directory and ``/metrics`` adds up all of them
(prometheus_client's multiprocess mode). A single process keeps its values in memory.

Labels have bounded cardinality: a router's id, a provider kind, an outcome or status from a
fixed list — never a phone number or a call id.

Values that describe the database rather than a process (timers waiting, routers with nobody
on call) are not counted as things happen: they are read when ``/metrics`` is scraped
(:class:`Scraped`), so every process answers the same and a deleted router leaves no series.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# A call's times are counted in seconds to minutes: a greeting, then one or several levels.
CALL_BUCKETS = (1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0, 180.0, 300.0)
FIRST_RING_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 30.0)


@dataclass(eq=False)  # registries key collectors by identity
class Scraped(Collector):
    """Gauges read from the database at scrape time (set by the /metrics route just before it
    renders). Families are described even when empty, so their names are always exposed."""

    timers_due: Mapping[str, int] = field(default_factory=dict)
    oldest_due_seconds: float = 0.0
    responders_on_call: Mapping[str, int] = field(default_factory=dict)

    def collect(self) -> Iterator[Metric]:
        due = GaugeMetricFamily(
            "callroute_timers_due",
            "Timers due now and not yet claimed by a worker: the backlog.",
            labels=("kind",),
        )
        for kind, count in sorted(self.timers_due.items()):
            due.add_metric((kind,), count)
        yield due
        yield GaugeMetricFamily(
            "callroute_timers_oldest_due_seconds",
            "How long the oldest due, unclaimed timer has been waiting (0: none waits).",
            value=self.oldest_due_seconds,
        )
        on_call = GaugeMetricFamily(
            "callroute_router_responders_on_call",
            "People an enabled router that rings responders would ring right now, at all of "
            "its levels and menu options together (0: nobody is on call).",
            labels=("router",),
        )
        for router, count in sorted(self.responders_on_call.items()):
            on_call.add_metric((router,), count)
        yield on_call


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()

        def counter(name: str, doc: str, labels: tuple[str, ...]) -> Counter:
            return Counter(name, doc, labels, registry=registry)

        def histogram(
            name: str, doc: str, labels: tuple[str, ...], buckets: tuple[float, ...]
        ) -> Histogram:
            return Histogram(name, doc, labels, buckets=buckets, registry=registry)

        http = ("method", "route", "status")
        self.requests = counter(
            "callroute_http_requests", "HTTP requests served, by route template and status.", http
        )
        self.latency = histogram(
            "callroute_http_request_duration_seconds",
            "Time from receiving a request to sending the last byte of its response.",
            http,
            LATENCY_BUCKETS,
        )
        call = ("router", "provider")
        self.calls_started = counter(
            "callroute_calls_started", "Calls that arrived (or were placed), by router.", call
        )
        self.calls_ended = counter(
            "callroute_calls_ended",
            "Calls that ended, by outcome: completed, missed, voicemail, rejected or failed.",
            (*call, "outcome"),
        )
        self.answer_seconds = histogram(
            "callroute_call_answer_seconds",
            "From a call's arrival to a responder (or forward, SIP, bot) answering it.",
            call,
            CALL_BUCKETS,
        )
        self.first_ring_seconds = histogram(
            "callroute_call_first_ring_seconds",
            "From the decision to ring responders (the end of the greeting and menu) to the "
            "first responder's phone ringing.",
            call,
            FIRST_RING_BUCKETS,
        )
        self.callers_abandoned = counter(
            "callroute_callers_abandoned",
            "Callers who hung up before anyone answered, while responders were being tried or "
            "between levels.",
            call,
        )
        self.legs_ended = counter(
            "callroute_legs_ended",
            "Responder legs that ended, by outcome (declined, no_answer, busy, failed, "
            "canceled, completed).",
            ("provider", "outcome"),
        )
        self.provider_requests = counter(
            "callroute_provider_requests",
            "Requests a call made to its provider (ring a leg, move the caller, hang up), by "
            "result: ok, error (the provider refused) or unavailable (it did not answer).",
            ("provider", "operation", "result"),
        )
        self.provider_errors = counter(
            "callroute_provider_errors",
            "Refusals from the provider, by its error code.",
            ("provider", "code"),
        )
        self.webhook_deliveries = counter(
            "callroute_webhook_deliveries",
            "Outgoing webhook attempts, by result: delivered, retried (it failed and will be "
            "tried again) or failed (given up, or refused before sending).",
            ("result",),
        )
        self.timer_lateness = histogram(
            "callroute_timer_lateness_seconds",
            "How late a timer was claimed after it fell due.",
            ("kind",),
            LATENCY_BUCKETS,
        )
        self.inbox_duplicates = counter(
            "callroute_inbox_duplicates",
            "Provider events received again (a retry or a duplicate) and given no effect.",
            ("source",),
        )
        self.db_pool_in_use = Gauge(
            "callroute_db_pool_connections_in_use",
            "Database connections checked out of the pool, all processes together.",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.scraped = Scraped()
        registry.register(self.scraped)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = (method, route, str(status))
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)

    def render(self) -> bytes:
        directory = os.environ.get(MULTIPROCESS_ENV)
        if not directory:
            return generate_latest(self.registry)
        from prometheus_client import multiprocess

        _forget_dead_processes(Path(directory))
        combined = CollectorRegistry()
        multiprocess.MultiProcessCollector(combined, path=directory)  # type: ignore[no-untyped-call]
        combined.register(self.scraped)
        return generate_latest(combined)


def _forget_dead_processes(directory: Path) -> None:
    """A process that died (restarted by the server's supervisor) leaves its live gauges'
    files behind: remove them, or its last pool count would be added in for ever."""
    from prometheus_client import multiprocess

    pids = {path.stem.rsplit("_", 1)[-1] for path in directory.glob("gauge_live*_*.db")}
    for pid in pids:
        if pid.isdigit() and not _alive(int(pid)):
            multiprocess.mark_process_dead(int(pid), str(directory))  # type: ignore[no-untyped-call]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def prepare_multiprocess_directory(directory: Path) -> None:
    """Before the processes start: the directory exists and holds no values of an earlier
    run (they would be added to this run's)."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


# -- measuring inside a unit of work ---------------------------------------------------------
#
# What a step observes (a call ended, a leg was refused) is counted only once its transaction
# has committed: a step that rolls back, and is run again, must not be counted twice.

Observation = Callable[["Metrics"], None]


def of(session: Any) -> Metrics | None:
    """The metrics of the process that opened ``session``'s unit of work (None: not kept)."""
    metrics = session.info.get("metrics")
    return metrics if isinstance(metrics, Metrics) else None


def after_commit(session: Any, observations: Iterable[Observation]) -> None:
    """Count ``observations`` when ``session``'s unit of work commits."""
    metrics = of(session)
    if metrics is None:
        return
    from callroute.db.session import after_commit as on_commit

    for observation in observations:
        on_commit(session, _bound(observation, metrics))


def _bound(observation: Observation, metrics: Metrics) -> Callable[[], None]:
    return lambda: observation(metrics)
