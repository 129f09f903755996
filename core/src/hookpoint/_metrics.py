"""Prometheus metrics of one app (own registry: nothing global, tests stay isolated)."""

from __future__ import annotations

import asyncio
import math
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from .store import QueueStats, Store

__all__ = ["STATS_TTL", "Metrics"]

STATS_TTL = 5.0
"""Seconds the run counts of ``/metrics`` are reused (Prometheus scrapes every 15 s or more)."""


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "hookpoint_requests",
            "Webhook requests by endpoint and outcome",
            ["endpoint", "outcome"],
            registry=self.registry,
        )
        self.ingest_latency = Histogram(
            "hookpoint_ingest_seconds",
            "Time to answer a webhook request (incl. commit)",
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=self.registry,
        )
        self.queue_depth = Gauge("hookpoint_queue_depth", "Runs queued", registry=self.registry)
        self.running = Gauge("hookpoint_runs_running", "Runs running", registry=self.registry)
        self.oldest_queued = Gauge(
            "hookpoint_oldest_queued_run_age_seconds",
            "Age of the oldest due queued run",
            registry=self.registry,
        )
        self.runs_by_status = Gauge(
            "hookpoint_runs", "Runs in the store by status", ["status"], registry=self.registry
        )
        self.alerts = Counter(
            "hookpoint_alerts",
            "Alerts this process raised, by condition and state (docs/alerts.md)",
            ["condition", "state"],
            registry=self.registry,
        )
        self.alert_notifications = Counter(
            "hookpoint_alert_notifications",
            "Alert notifications by notifier and outcome (sent, refused, error, dropped)",
            ["notifier", "outcome"],
            registry=self.registry,
        )
        self._children: dict[tuple[str, str], Counter] = {}
        self._stats: QueueStats | None = None
        self._stats_at = -math.inf
        self._stats_lock = asyncio.Lock()

    async def _queue_stats(self, store: Store) -> QueueStats:
        """The store's run counts, computed at most once per ``STATS_TTL`` however often
        ``/metrics`` (which needs no token) is called, one computation at a time: each costs
        time in proportion to the runs table (0.45 s at 3 M runs)."""
        async with self._stats_lock:
            now = time.monotonic()
            if self._stats is None or now - self._stats_at >= STATS_TTL:
                self._stats = await store.queue_stats()
                self._stats_at = time.monotonic()
            return self._stats

    def _count(self, endpoint: str, outcome: str) -> None:
        key = (endpoint, outcome)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = self.requests.labels(endpoint=endpoint, outcome=outcome)
        child.inc()

    def observe_ingest(self, endpoint: str, outcome: str, seconds: float) -> None:
        self._count(endpoint, outcome)
        self.ingest_latency.observe(seconds)

    def observe_test(self, endpoint: str) -> None:
        """A test delivery (dashboard **Test**): counted under its own outcome ``test``, and
        not in the ingest latency, which is the senders' traffic."""
        self._count(endpoint, "test")

    def observe_alert(self, condition: str, state: str) -> None:
        self.alerts.labels(condition=condition, state=state).inc()

    def observe_notification(self, notifier: str, outcome: str) -> None:
        self.alert_notifications.labels(notifier=notifier, outcome=outcome).inc()

    async def render(self, store: Store) -> bytes:
        stats = await self._queue_stats(store)
        self.queue_depth.set(stats.queued)
        self.running.set(stats.running)
        self.oldest_queued.set(stats.oldest_queued_age)
        for status, count in stats.by_status.items():
            self.runs_by_status.labels(status=status).set(count)
        data: bytes = generate_latest(self.registry)
        return data
