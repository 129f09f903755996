"""What the SQLite and PostgreSQL stores do the same way, written once: :class:`SQLStore`.

Reads, run-state changes (finish, fail, release, cancel, replay of a run), heartbeats, task
results, dashboard sessions, alert marks and retention are the plans of ``_queries``; a backend
only says how to run a plan (``_read_plan``, ``_write_plan``) and how to end an attempt
(``_end_attempt``), and keeps what is its own: connections, ingest, claims, waking workers.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from abc import abstractmethod
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, ClassVar, TypedDict, TypeVar

from .._errors import ConfigError, StoreError
from . import _migrations
from . import _queries as q
from ._base import (
    FEED_MAX_LIMIT,
    MAX_HOURS,
    AlertInputs,
    AlertMark,
    Attempt,
    BulkAction,
    BulkStatus,
    ClaimedRun,
    FeedPage,
    HourlyActivity,
    IngestResult,
    LogLine,
    Matches,
    NewBulkAction,
    NewRequest,
    NewRun,
    NotFound,
    Page,
    QueueStats,
    RequestQuery,
    RunQuery,
    RunRecord,
    Store,
    StoredRequest,
    StoreStats,
    TrimCounter,
    hour_window,
    new_id,
)
from ._codec import encode_json, encode_strict_json
from ._sql import Dialect, Plan, RunSpec, log_rows, parse_feed_cursor, run_specs

__all__ = ["SQLStore", "StoreOptions"]

T = TypeVar("T")


class StoreOptions(TypedDict, total=False):
    """The options both backends take (``open_store`` passes them on)."""

    rejected_max_rows: int
    """Most rejected requests (and, apart, handshakes) kept (10,000)."""
    rejected_max_age: float
    """Seconds they are kept at most (7 days)."""
    rejected_trim_every: int
    """Trim them once every this many records (100)."""
    wake_interval_max: float
    """A retry due later than this (seconds) wakes no timer: ``wait_for_runs`` finds it."""


def _detail(detail: Any) -> str | None:
    """An attempt's detail as stored: encoded JSON, or NULL for none."""
    return None if detail is None else encode_json(detail)


class SQLStore(Store):
    """The part of a store that is the same SQL on both backends (see the module docstring)."""

    dialect: ClassVar[Dialect]
    log: ClassVar[logging.Logger]

    def __init__(
        self,
        *,
        rejected_max_rows: int = 10_000,
        rejected_max_age: float = 7 * 86400.0,
        rejected_trim_every: int = 100,
        wake_interval_max: float = 3600.0,
    ) -> None:
        if rejected_max_rows < 1 or rejected_trim_every < 1:
            raise ConfigError("rejected_max_rows and rejected_trim_every must be >= 1")
        self.rejected_max_rows = int(rejected_max_rows)
        self.rejected_max_age = float(rejected_max_age)
        self.rejected_trim_every = int(rejected_trim_every)
        self.wake_interval_max = wake_interval_max
        self.stats = StoreStats()
        self.pending_migrations: list[str] = []
        """Set by ``open(auto_upgrade=False)``: migrations the database still needs."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self._wake = asyncio.Event()
        self._accepted = asyncio.Event()
        self._timers: set[asyncio.TimerHandle] = set()
        self._trims = TrimCounter(self.rejected_trim_every)

    # -- what a backend provides -------------------------------------------------------------------
    @abstractmethod
    async def _read_plan(
        self, make: Callable[[], Plan[T]], doing: str, *, snapshot: bool = False
    ) -> T:
        """Run the plan ``make()`` gives (again on a retry) on a read connection; ``snapshot``:
        all its statements see one snapshot."""

    @abstractmethod
    async def _write_plan(
        self, make: Callable[[], Plan[T]], doing: str, *, atomic: bool = False
    ) -> T:
        """Run the plan as a write; ``atomic``: all its statements in one transaction."""

    @abstractmethod
    async def _claim(self, claim: q.Claim) -> list[ClaimedRun]:
        """Reap expired leases, then lease due runs (see ``Store.claim_runs``)."""

    @abstractmethod
    async def _append_logs(self, rows: list[tuple[Any, ...]]) -> None:
        """Insert ``run_logs`` rows (``LOG_COLUMNS``), in their order."""

    @abstractmethod
    async def _replay_request(self, request_id: str, specs: list[RunSpec]) -> bool:
        """Queue the runs ``specs`` for a stored request; False when it does not exist."""

    @abstractmethod
    async def _end_attempt(self, end: q.EndAttempt, doing: str) -> bool:
        """Write ``end`` if its worker still owns the attempt (``end.due_now``: wake the
        workers of other processes too)."""

    # -- shared plumbing ---------------------------------------------------------------------------
    def _notify(self) -> None:
        self._wake.set()

    def _ingested(self, request: NewRequest, result: IngestResult) -> None:
        """After an ingest committed: wake the feed's readers in this process when it stored
        an accepted request (``accepted_event``)."""
        if request.status == "accepted" and not result.duplicate:
            event, self._accepted = self._accepted, asyncio.Event()
            event.set()

    def accepted_event(self) -> asyncio.Event:
        return self._accepted

    def _notify_at(self, when: float) -> None:
        loop = self._loop
        delay = when - time.time()
        if delay <= 0 or loop is None:
            self._wake.set()
            return
        if delay > self.wake_interval_max:
            return  # the caller's wait_for_runs timeout will find it

        def fire() -> None:
            self._timers.discard(handle)
            self._wake.set()

        handle = loop.call_later(delay, fire)
        self._timers.add(handle)

    def _cancel_timers(self) -> None:
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()

    def _schema_found(self, applied: set[str]) -> None:
        """Check the versions a database has applied (``open(auto_upgrade=False)``)."""
        problem = _migrations.check_not_newer(applied)
        if problem:
            raise StoreError(problem)
        missing = _migrations.pending(applied)
        if missing:
            # Not fatal: `hookpoint db upgrade` opens with auto_upgrade=False, then upgrades.
            self.log.warning(
                "%s: the database schema needs migrations %s: run `hookpoint db upgrade`",
                self.url,
                ", ".join(m.version for m in missing),
            )
        self.pending_migrations = [m.version for m in missing]

    def _schema_upgraded(self, done: list[str], where: str) -> list[str]:
        self.pending_migrations = []
        if done:
            self.log.info(
                "%s store %s: applied migrations %s", self.dialect.name, where, ", ".join(done)
            )
        return done

    def _trim_plan(self, now: float) -> Plan[int]:
        """Rejected requests and handshakes past their cap (``rejected_max_rows``/``_age``)."""
        return q.trim_unauthenticated(
            self.dialect, now, self.rejected_max_age, self.rejected_max_rows
        )

    # -- runs --------------------------------------------------------------------------------------
    async def claim_runs(
        self,
        worker_id: str,
        *,
        limit: int,
        lease_seconds: float,
        job_ids: Sequence[str] | None = None,
        now: float | None = None,
        global_limits: Mapping[str, int] | None = None,
    ) -> list[ClaimedRun]:
        if limit <= 0 or (job_ids is not None and not job_ids):
            return []
        jobs = list(job_ids) if job_ids is not None else None
        limits = {str(k): int(v) for k, v in (global_limits or {}).items()}
        if any(n < 1 for n in limits.values()):
            raise ConfigError(f"global limits must be >= 1, got {limits}")
        claim = q.Claim(worker_id, limit, lease_seconds, jobs, now, limits or None)
        return await self._claim(claim)

    async def heartbeat(
        self, worker_id: str, run_ids: Sequence[str], lease_seconds: float
    ) -> set[str]:
        ids = list(dict.fromkeys(run_ids))
        if not ids:
            return set()
        d = self.dialect
        return await self._write_plan(
            lambda: q.heartbeat(d, worker_id, ids, time.time() + lease_seconds), "heartbeat"
        )

    async def finish_run(
        self, worker_id: str, run_id: str, attempt: int, *, output: Any = None, detail: Any = None
    ) -> bool:
        end = q.finished(worker_id, run_id, attempt, encode_json(output), _detail(detail))
        return await self._end_attempt(end, "finish a run")

    async def fail_attempt(
        self,
        worker_id: str,
        run_id: str,
        attempt: int,
        *,
        error: str,
        retry_at: float | None,
        detail: Any = None,
    ) -> bool:
        end = q.failed(worker_id, run_id, attempt, error, retry_at, _detail(detail))
        ok = await self._end_attempt(end, "record a failed attempt")
        if ok and retry_at is not None:
            self._notify_at(retry_at)
        return ok

    async def release_run(self, worker_id: str, run_id: str, attempt: int) -> bool:
        ok = await self._end_attempt(q.released(worker_id, run_id, attempt), "release a run")
        if ok:
            self._notify()
        return ok

    async def cancel_run(self, run_id: str) -> bool:
        d = self.dialect
        return await self._write_plan(
            lambda: q.cancel_run(d, run_id, time.time()), "cancel a run", atomic=True
        )

    async def reserve_slot(self, key: str, interval: float, now: float | None = None) -> float:
        if not interval > 0:
            raise ConfigError(f"interval must be > 0 seconds, got {interval}")
        at = time.time() if now is None else now
        d = self.dialect
        return await self._write_plan(
            lambda: q.reserve_slot(d, key, float(interval), at), "reserve a delivery slot"
        )

    # -- run io ------------------------------------------------------------------------------------
    async def append_logs(self, lines: Sequence[LogLine]) -> None:
        if lines:
            await self._append_logs(log_rows(lines))

    async def get_task_result(self, run_id: str, key: str) -> tuple[bool, Any]:
        d = self.dialect
        return await self._read_plan(
            lambda: q.get_task_result(d, run_id, key), "read a task result"
        )

    async def save_task_result(self, run_id: str, key: str, value: Any) -> None:
        encoded = encode_strict_json(value, f"the result of task {key!r}")
        d = self.dialect
        await self._write_plan(
            lambda: q.save_task_result(d, run_id, key, encoded, time.time()),
            "save a task result",
        )

    # -- alerts ------------------------------------------------------------------------------------
    async def alert_inputs(self, *, now: float, window: float, rate_period: float) -> AlertInputs:
        d = self.dialect
        return await self._read_plan(
            lambda: q.alert_inputs(d, now, window, rate_period), "read alert conditions"
        )

    async def swap_alert_mark(
        self, condition: str, key: str, expected: AlertMark | None, new: AlertMark
    ) -> bool:
        d = self.dialect
        return await self._write_plan(
            lambda: q.swap_alert_mark(d, condition, key, expected, new), "record an alert"
        )

    # -- dashboard sessions ------------------------------------------------------------------------
    async def create_session(self, key: str, *, expires_at: float) -> None:
        d = self.dialect
        await self._write_plan(
            lambda: q.create_session(d, key, expires_at, time.time()),
            "record a dashboard session",
        )

    async def session_active(self, key: str, now: float) -> bool:
        d = self.dialect
        return await self._read_plan(
            lambda: q.session_active(d, key, now), "check a dashboard session"
        )

    async def revoke_session(self, key: str) -> None:
        d = self.dialect
        await self._write_plan(lambda: q.revoke_session(d, key), "end a dashboard session")

    # -- replay ------------------------------------------------------------------------------------
    async def replay_run(self, run_id: str) -> str:
        new_run_id = new_id()
        d = self.dialect
        replayed = await self._write_plan(
            lambda: q.replay_run(d, new_run_id, run_id, time.time()), "replay a run"
        )
        if not replayed:
            raise NotFound(f"run {run_id} not found")
        self._notify()
        return new_run_id

    async def replay_runs(self, run_ids: Sequence[str]) -> list[tuple[str, str]]:
        pairs = [(run_id, new_id()) for run_id in run_ids]
        if not pairs:
            return []
        d = self.dialect
        done = await self._write_plan(
            lambda: q.replay_runs(d, pairs, time.time()), "replay runs", atomic=True
        )
        if done:
            self._notify()
        return done

    async def replay_request(self, request_id: str, runs: Sequence[NewRun]) -> tuple[str, ...]:
        specs = run_specs(runs)
        if not await self._replay_request(request_id, specs):
            raise NotFound(f"request {request_id} not found")
        if specs:
            self._notify()
        return tuple(s[0] for s in specs)

    # -- queries -----------------------------------------------------------------------------------
    async def get_request(self, request_id: str) -> StoredRequest | None:
        d = self.dialect
        return await self._read_plan(lambda: q.get_request(d, request_id), "read a request")

    async def list_requests(self, query: RequestQuery) -> Page:
        d = self.dialect
        return await self._read_plan(lambda: q.list_requests(d, query), "list requests")

    async def read_feed(
        self,
        endpoint_id: str,
        *,
        after: str | None = None,
        since: float | None = None,
        limit: int = 100,
        max_bytes: int = 8 * 1024 * 1024,
    ) -> FeedPage:
        d = self.dialect
        start = None if after is None else parse_feed_cursor(after, d.feed)
        if not 1 <= limit <= FEED_MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {FEED_MAX_LIMIT}")
        budget = max(1, int(max_bytes))
        return await self._read_plan(
            lambda: q.read_feed(d, endpoint_id, start, since, limit, budget),
            "read the delivery feed",
            snapshot=True,
        )

    async def get_run(self, run_id: str) -> RunRecord | None:
        d = self.dialect
        return await self._read_plan(lambda: q.get_run(d, run_id), "read a run")

    async def list_runs(self, query: RunQuery) -> Page:
        d = self.dialect
        return await self._read_plan(lambda: q.list_runs(d, query), "list runs")

    async def list_attempts(self, run_id: str) -> list[Attempt]:
        d = self.dialect
        return await self._read_plan(lambda: q.list_attempts(d, run_id), "list attempts")

    async def list_logs(self, run_id: str) -> list[LogLine]:
        d = self.dialect
        return await self._read_plan(lambda: q.list_logs(d, run_id), "list run logs")

    async def queue_stats(self, *, finals: bool = True) -> QueueStats:
        d = self.dialect
        return await self._read_plan(
            lambda: q.queue_stats(d, time.time(), finals), "read queue stats", snapshot=True
        )

    # -- bulk actions ------------------------------------------------------------------------------
    async def match_runs(self, query: RunQuery, *, most: int, sample: int = 10) -> Matches:
        d = self.dialect
        return await self._read_plan(
            lambda: q.matches(d, query, q.list_runs, most, sample), "match runs", snapshot=True
        )

    async def match_requests(self, query: RequestQuery, *, most: int, sample: int = 10) -> Matches:
        d = self.dialect
        return await self._read_plan(
            lambda: q.matches(d, query, q.list_requests, most, sample),
            "match requests",
            snapshot=True,
        )

    async def begin_bulk_action(self, action: NewBulkAction) -> tuple[BulkAction, bool]:
        d = self.dialect
        return await self._write_plan(
            lambda: q.begin_bulk_action(d, action), "record a bulk action", atomic=True
        )

    async def end_bulk_action(
        self,
        action_id: str,
        *,
        status: BulkStatus,
        replayed: int,
        skipped: int,
        new_runs: int,
        run_ids: Sequence[str],
        notes: Sequence[tuple[str, str]],
        error: str | None = None,
    ) -> None:
        d = self.dialect
        counts = (replayed, skipped, new_runs)
        await self._write_plan(
            lambda: q.end_bulk_action(
                d, action_id, status, counts, run_ids, notes, error, time.time()
            ),
            "record the end of a bulk action",
        )

    async def get_bulk_action(self, action_id: str) -> BulkAction | None:
        d = self.dialect
        return await self._read_plan(lambda: q.get_bulk_action(d, action_id), "read a bulk action")

    async def list_bulk_actions(self, *, limit: int = 50, before_id: str | None = None) -> Page:
        d = self.dialect
        return await self._read_plan(
            lambda: q.list_bulk_actions(d, limit, before_id), "list bulk actions"
        )

    async def hourly_activity(
        self,
        *,
        hours: int = 24,
        endpoint_ids: Sequence[str] | None = None,
        now: float | None = None,
    ) -> dict[str, HourlyActivity]:
        if not isinstance(hours, int) or not 1 <= hours <= MAX_HOURS:
            raise ValueError(f"hours must be a whole number from 1 to {MAX_HOURS}")
        since, _ = hour_window(hours, time.time() if now is None else now)
        ids = None if endpoint_ids is None else list(endpoint_ids)
        d = self.dialect
        return await self._read_plan(
            lambda: q.hourly_activity(d, since, hours, ids), "count requests and runs per hour"
        )

    # -- retention ---------------------------------------------------------------------------------
    async def purge(self, *, older_than: float) -> int:
        d = self.dialect
        total = 0
        cursor = -math.inf
        while True:
            deleted, seen, cursor = await self._write_plan(
                partial(q.purge_chunk, d, older_than, cursor),
                "purge old requests",
                atomic=True,
            )
            total += deleted
            if seen < q.PURGE_CHUNK or cursor == math.inf:
                break
        total += await self._write_plan(
            lambda: q.purge_tail(
                d, older_than, time.time(), self.rejected_max_age, self.rejected_max_rows
            ),
            "purge expired keys and rejected requests",
        )
        return total
