"""Alerts: a host tells someone when runs die, an endpoint rejects a flood, the queue falls
behind or the store goes away, and again when it is over (docs/alerts.md).

:class:`Alerts` is one host process's evaluator, owned by its :class:`~hookpoint._runtime.Runtime`.
Every ``HOOKPOINT_ALERT_INTERVAL`` seconds, or soon after this process's worker marks a run
failed for good or ingest meets a store error (:meth:`Alerts.wake`, :meth:`Alerts.store_failed`),
it reads the store once (``Store.alert_inputs``) and turns what it read into observations
(:func:`observe`): a condition that holds is ``firing``, a firing one that no longer holds is
``resolved``. Whether an observation is notified is :func:`next_mark`: ``firing`` at most once
per ``HOOKPOINT_ALERT_WINDOW`` per condition and key, ``resolved`` once after a firing one.

The hosts of one store agree through ``alert_state``: a host notifies only when its
compare-and-set of the mark it read wins (``Store.swap_alert_mark``), so of several processes
or machines seeing the same condition, one sends. Dead runs are read from the store too, so a
run that died in a ``hookpoint worker`` process, or by lease expiry, counts the same as one
that died here. The one condition the store cannot record is its own absence: that mark is kept
in this process, so each host process reports its own outage (and its end).

Notifications come from the ``hookpoint_notify`` hook of every plugin (the built-in webhook and
Slack notifiers among them) and are sent by :meth:`Alerts._send` with the app's shared HTTP
client, in background tasks, a few at a time, each bounded by ``HOOKPOINT_ALERT_TIMEOUT``;
nothing here is awaited by ingest or by a run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
import types
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from pydantic import JsonValue

from ._errors import StoreError
from ._http import AsyncClient, ExchangeFailed, exchange
from ._models import Alert, AlertCondition, Notification
from ._secrets import mask_url_path, mask_urls_in
from .store import AlertInputs, AlertMark, Store, new_id

if TYPE_CHECKING:
    from ._metrics import Metrics
    from ._plugins import PluginHost
    from ._settings import Settings

__all__ = [
    "RATE_PERIOD",
    "Alerts",
    "Observation",
    "alerts_wanted",
    "next_mark",
    "observe",
]

log = logging.getLogger("hookpoint.alerts")

State = Literal["firing", "resolved"]

RATE_PERIOD = 60.0
"""Seconds over which an endpoint's rejected requests are counted (the threshold is per
minute)."""
SETTLE = 0.25
"""Seconds a wake-up waits before the check, so a burst of dead runs is counted together."""
MIN_GAP = 1.0
"""Seconds between the starts of two checks at least, however often they are woken (a store
outage under traffic wakes the check at every 503)."""
SENDING_AT_ONCE = 4
"""Notifications in flight at once: a receiver that hangs holds at most these connections of
the shared client's pool, which the app's jobs use too."""
MAX_PENDING = 64
"""Notifications waiting or in flight; past it a new one is dropped (and counted)."""
STOP_GRACE = 2.0
"""Seconds a stopping host waits for notifications still in flight."""
ERROR_CHARS = 500
"""Characters of a run's or the store's error an alert carries."""


@dataclass(frozen=True, slots=True)
class Observation:
    """One condition and key as one check saw it: ``firing`` (it holds) or ``resolved`` (it was
    firing and no longer holds)."""

    condition: AlertCondition
    key: str
    state: State
    message: str
    details: dict[str, JsonValue] = field(default_factory=dict)


def next_mark(mark: AlertMark | None, state: State, now: float, window: float) -> AlertMark | None:
    """The mark after observing ``state``, or ``None`` when nothing is to be notified.

    ``firing`` is notified when no firing one went out in the last ``window`` seconds (a
    condition that still holds a window later is notified again, with what it is now);
    ``resolved`` when the mark is firing. So a flapping condition sends at most one firing and
    one resolved notification per window.
    """
    if state == "resolved":
        if mark is None or mark.state != "firing":
            return None
        return AlertMark("resolved", mark.notified_at, now)
    if mark is not None and now - mark.notified_at < window:
        return None
    return AlertMark("firing", now, now)


def duration(seconds: float) -> str:
    """``seconds`` for a message: ``42s``, ``15m``, ``1h 30m``."""
    if seconds < 10:
        return f"{seconds:.3g}s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours}h"] if hours else []
    if minutes:
        parts.append(f"{minutes}m")
    if secs and not hours:
        parts.append(f"{secs}s")
    return " ".join(parts) or "0s"


def _clip(text: str | None) -> str | None:
    if text is None or len(text) <= ERROR_CHARS:
        return text
    return text[: ERROR_CHARS - 1] + "…"


def _at(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def observe(inputs: AlertInputs, settings: Settings, now: float) -> list[Observation]:
    """What the store's state means (pure): every condition that holds, and every firing mark
    whose condition no longer does."""
    window = settings.alert_window
    seen: list[Observation] = []
    holding: set[tuple[str, str]] = set()
    for dead in inputs.dead_runs:
        holding.add(("dead_runs", dead.job_id))
        runs = "1 run" if dead.count == 1 else f"{dead.count} runs"
        seen.append(
            Observation(
                "dead_runs",
                dead.job_id,
                "firing",
                f"{runs} of job {dead.job_id!r} failed after their last attempt in the last "
                f"{duration(window)}",
                {
                    "job": dead.job_id,
                    "count": dead.count,
                    "window_seconds": window,
                    "last_run": dead.last_run_id,
                    "last_endpoint": dead.last_endpoint_id,
                    "last_error": _clip(dead.last_error),
                    "last_failed_at": _at(dead.last_at),
                },
            )
        )
    threshold = settings.alert_rejected_per_minute
    rejected = dict(inputs.rejected)
    for endpoint, count in inputs.rejected:
        if threshold and count >= threshold:
            holding.add(("rejected_requests", endpoint))
            seen.append(
                Observation(
                    "rejected_requests",
                    endpoint,
                    "firing",
                    f"endpoint {endpoint!r} rejected {count} requests in the last minute "
                    f"(threshold {threshold})",
                    {"endpoint": endpoint, "count": count, "threshold": threshold},
                )
            )
    age, limit = inputs.oldest_queued_age, settings.alert_queue_age
    if limit and age >= limit:
        holding.add(("queue_age", "queue"))
        seen.append(
            Observation(
                "queue_age",
                "queue",
                "firing",
                f"the oldest queued run has waited {duration(age)} (threshold {duration(limit)})",
                {"oldest_queued_age_seconds": round(age, 3), "threshold_seconds": limit},
            )
        )
    for (condition, key), mark in sorted(inputs.marks.items()):
        if mark.state != "firing" or (condition, key) in holding:
            continue
        if condition == "dead_runs":
            seen.append(
                Observation(
                    "dead_runs",
                    key,
                    "resolved",
                    f"no run of job {key!r} has failed in the last {duration(window)}",
                    {"job": key, "window_seconds": window},
                )
            )
        elif condition == "rejected_requests":
            count = rejected.get(key, 0)
            seen.append(
                Observation(
                    "rejected_requests",
                    key,
                    "resolved",
                    f"endpoint {key!r} rejected {count} requests in the last minute, under the "
                    f"threshold of {threshold}",
                    {"endpoint": key, "count": count, "threshold": threshold},
                )
            )
        elif condition == "queue_age":
            seen.append(
                Observation(
                    "queue_age",
                    key,
                    "resolved",
                    f"the oldest queued run has waited {duration(age)}, under the threshold of "
                    f"{duration(limit)}",
                    {"oldest_queued_age_seconds": round(age, 3), "threshold_seconds": limit},
                )
            )
    return seen


def alerts_wanted(settings: Settings, plugins: PluginHost) -> bool:
    """Whether a host checks for alerts: ``HOOKPOINT_ALERT_INTERVAL`` > 0 and something would
    hear them (a built-in notifier configured, or a plugin implementing ``hookpoint_notify``)."""
    if settings.alert_interval <= 0:
        return False
    configured = settings.alert_url is not None or settings.alert_slack_url is not None
    return configured or bool(plugins.notifiers(builtin=False))


class Alerts:
    """The alert evaluator and notifier of one host process (see the module docstring).

    * **app_id**, **plugins**, **settings**, **store** - the app's.
    * **http** - returns the app's shared HTTP client (``None`` once it is closed).
    * **metrics** - where notifications and alerts are counted (the host's ``/metrics``).
    * **env** - what ``hookpoint_notify`` gets as ``env`` (default: this process's).
    """

    def __init__(
        self,
        app_id: str,
        plugins: PluginHost,
        settings: Settings,
        store: Store,
        *,
        http: Callable[[], AsyncClient | None],
        metrics: Metrics | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.app_id = app_id
        self.plugins = plugins
        self.settings = settings
        self.store = store
        self._http = http
        self.metrics = metrics
        self.env: Mapping[str, str] = types.MappingProxyType(
            dict(os.environ if env is None else env)
        )
        self.counts: Counter[tuple[str, str]] = Counter()
        """``(notifier, outcome)`` → notifications: ``sent``, ``refused`` (not 2xx), ``error``
        (no answer in time, or none at all), ``dropped`` (too many pending)."""
        self.raised: list[Alert] = []
        """The alerts this process raised, newest last (at most 100)."""
        self._store_mark: AlertMark | None = None
        self._store_suspect = False
        self._marks: dict[tuple[str, str], AlertMark] = {}
        """The store's marks as the last check left them (what ``wake`` may skip)."""
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(SENDING_AT_ONCE)
        self._pending: set[asyncio.Task[None]] = set()
        self._loop_task: asyncio.Task[None] | None = None

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> None:
        if self._loop_task is None:
            self._loop_task = asyncio.create_task(self._loop(), name="hookpoint-alerts")

    async def stop(self) -> None:
        """Stop checking; give notifications in flight ``STOP_GRACE`` seconds, then cancel."""
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
            self._loop_task = None
        await self.drain(STOP_GRACE)
        for task in list(self._pending):
            task.cancel()
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)

    async def drain(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for the notifications in flight."""
        if self._pending:
            await asyncio.wait(set(self._pending), timeout=timeout)

    def wake(self, job_id: str | None = None) -> None:
        """Check soon: a run of ``job_id`` died in this process. Skipped while that job's
        alert is firing and was notified inside the window (a flood of dead runs wakes no
        check per run; the next regular check counts them)."""
        mark = self._marks.get(("dead_runs", job_id or ""))  # no job's id is empty
        window = self.settings.alert_window
        if mark is not None and mark.state == "firing" and time.time() - mark.notified_at < window:
            return
        self._wake.set()

    def store_failed(self) -> None:
        """Ingest (or anything else) met a store error: check soon, the store's writes too."""
        self._store_suspect = True
        self._wake.set()

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            started = time.monotonic()
            try:
                await self.evaluate()
            except Exception:
                log.exception("alert check failed")
            try:
                async with asyncio.timeout(self.settings.alert_interval):
                    await self._wake.wait()
            except TimeoutError:
                continue
            await asyncio.sleep(max(SETTLE, MIN_GAP - (time.monotonic() - started)))

    # -- one check --------------------------------------------------------------------------------
    async def evaluate(self, now: float | None = None) -> list[Alert]:
        """One check at ``now`` (default: the time now); the alerts it raised (each already
        handed to the notifiers)."""
        now = time.time() if now is None else now
        s = self.settings
        try:
            if self._store_suspect or self._store_firing:
                await self.store.ping()  # reads may work while writes do not (SQLite)
            inputs = await self.store.alert_inputs(
                now=now, window=s.alert_window, rate_period=RATE_PERIOD
            )
        except StoreError as exc:
            error = _clip(mask_urls_in(str(exc))) or type(exc).__name__
            return self._local(
                Observation(
                    "store_unavailable",
                    "store",
                    "firing",
                    f"the store is unavailable: {error}",
                    {"store": self.store.url, "error": error},
                ),
                now,
            )
        self._store_suspect = False
        self._marks = dict(inputs.marks)
        raised: list[Alert] = []
        if self._store_firing:
            raised += self._local(
                Observation(
                    "store_unavailable",
                    "store",
                    "resolved",
                    "the store is available again",
                    {"store": self.store.url},
                ),
                now,
            )
        for seen in observe(inputs, s, now):
            mark = inputs.marks.get((seen.condition, seen.key))
            new = next_mark(mark, seen.state, now, s.alert_window)
            if new is None:
                continue
            try:
                won = await self.store.swap_alert_mark(seen.condition, seen.key, mark, new)
            except StoreError as exc:
                log.warning("could not record an alert (%s); next check then", exc)
                self._store_suspect = True
                break
            if won:
                self._marks[(seen.condition, seen.key)] = new
                raised.append(self._raise(seen, now))
        return raised

    @property
    def _store_firing(self) -> bool:
        return self._store_mark is not None and self._store_mark.state == "firing"

    def _local(self, seen: Observation, now: float) -> list[Alert]:
        """The store's own condition: its mark lives in this process."""
        new = next_mark(self._store_mark, seen.state, now, self.settings.alert_window)
        if new is None:
            return []
        self._store_mark = new
        return [self._raise(seen, now)]

    # -- notifying --------------------------------------------------------------------------------
    def _raise(self, seen: Observation, now: float) -> Alert:
        alert = Alert(
            id=new_id(),
            app=self.app_id,
            condition=seen.condition,
            key=seen.key,
            state=seen.state,
            message=seen.message,
            details=seen.details,
            at=datetime.fromtimestamp(now, UTC),
        )
        log.log(
            logging.WARNING if alert.state == "firing" else logging.INFO,
            "alert %s %s/%s: %s",
            alert.state,
            alert.condition,
            alert.key,
            alert.message,
        )
        self.raised = [*self.raised[-99:], alert]
        if self.metrics is not None:
            self.metrics.observe_alert(alert.condition, alert.state)
        for notification in self.plugins.notify(
            alert, self.settings.model_copy(), self.env, time.time()
        ):
            self._queue(notification)
        return alert

    def _queue(self, notification: Notification) -> None:
        if len(self._pending) >= MAX_PENDING:
            self._count(notification, "dropped")
            log.warning(
                "alert notification %s to %s dropped: %d already pending",
                notification.notifier,
                mask_url_path(notification.url),
                len(self._pending),
            )
            return
        task = asyncio.create_task(self._send(notification), name="hookpoint-alert-notify")
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _send(self, notification: Notification) -> None:
        timeout = self.settings.alert_timeout
        result: int | str = "timeout"
        try:
            async with self._slots, asyncio.timeout(timeout + 1.0):
                client = self._http()
                if client is None:
                    result = "client closed"
                else:  # the answer's body is not kept; on failure only its kind is logged
                    got = await exchange(
                        client,
                        notification.method,
                        notification.url,
                        notification.headers,
                        notification.body,
                        timeout=timeout,
                        body_limit=0,
                    )
                    result = got.status
        except ExchangeFailed as exc:  # its message may hold the URL, whose path is a secret
            result = exc.kind
        except TimeoutError:
            pass
        if isinstance(result, int) and 200 <= result < 300:
            self._count(notification, "sent")
            return
        self._count(notification, "refused" if isinstance(result, int) else "error")
        log.warning(
            "alert notification %s to %s failed: %s",
            notification.notifier,
            mask_url_path(notification.url),
            f"HTTP {result}" if isinstance(result, int) else result,
        )

    def _count(self, notification: Notification, outcome: str) -> None:
        self.counts[(notification.notifier, outcome)] += 1
        if self.metrics is not None:
            self.metrics.observe_notification(notification.notifier, outcome)
