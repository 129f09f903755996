"""The run engine: a :class:`Worker` executes job runs at least once.

How a run goes through a worker:

1. **Claim.** The worker leases up to its free slots of due runs (``store.claim_runs``), asking
   only for the jobs it knows and that still have room under their per-job ``concurrency``, and
   passing the store the jobs' ``global_concurrency`` (a forwarding destination's limit over
   every worker), which the store enforces. Between claims it waits for ``store.wait_for_runs``
   (NOTIFY / in-process wake-up) or ``poll_interval``, or for a slot to free up.
2. **Execute.** Each claimed run gets a task: the job's ``run(request, io, ctx)`` is called with a
   :class:`~hookpoint.WebhookRequest` rebuilt from the stored request, an :class:`~hookpoint.IO`
   and a :class:`~hookpoint.RunContext`, under the job's per-attempt ``timeout``. A sync ``run``
   executes in a thread of its own so it never blocks the loop.
3. **Heartbeat.** Every ``heartbeat_interval`` the worker extends the leases of its in-flight runs.
   A run it no longer owns (cancelled by an operator, or its lease expired and another worker took
   it over) has its task cancelled.
4. **Record.** Success: ``finish_run`` with the return value as output (when it is JSON data).
   Failure: the error (``"TypeName: message"``) goes to the run's ``last_error`` and, with a short
   traceback, to its log; the attempt is retried per the job's :class:`~hookpoint.RetryPolicy`, or
   the run is marked ``failed`` (the dead-letter state) after its last attempt, on
   :class:`~hookpoint.DoNotRetry`, or on one of the policy's ``do_not_retry`` types. A
   :class:`~hookpoint.RetryAfter` sets that retry's delay (capped by the policy's
   ``max_delay``). Whatever the job put in ``io.attempt_detail`` is stored on the attempt
   either way.
5. **Stop.** ``stop()`` stops claiming, lets in-flight runs finish for ``graceful_timeout`` seconds,
   then cancels the rest and releases them (``release_run``: queued again, due now).

A dead worker's runs come back when their leases expire: at-least-once. A store error never kills
the worker; it is logged and the operation retried with backoff.

Timeouts of sync functions: a thread cannot be interrupted. When a sync ``run`` (or a sync
``io.run_task`` step) exceeds the timeout, or its run is cancelled, the attempt is recorded as
failed (or cancelled) at once and the slot is freed, but the function keeps running in its thread
until it returns; its outcome is then dropped. ``Worker.stats.abandoned_threads`` counts them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Protocol, Self

from ._convert import stored_to_request
from ._errors import RetryAfter
from ._request import WebhookRequest
from ._retry import RetryPolicy
from ._runio import IO, RunContext, call_maybe_async, is_async_callable, to_json_value
from ._secrets import mask_urls_in
from .store._base import ClaimedRun, RunQuery, Store

if TYPE_CHECKING:
    import httpx

__all__ = ["RunnableJob", "Worker", "WorkerStats"]

_ERROR_LIMIT = 4000
"""Characters of an error message kept as the run's ``last_error``."""
_TRACEBACK_FRAMES = 12
_RECORD_TRIES = 5

CancelReason = Literal["cancelled", "lease lost", "shutdown"]


class RunnableJob(Protocol):
    """What the worker needs of a job (``hookpoint.Job`` is one)."""

    @property
    def id(self) -> str: ...

    @property
    def version(self) -> str: ...

    @property
    def run(self) -> Callable[..., Any]:
        """``run(request, io, ctx)``, async or sync (a sync one runs in a thread)."""
        ...

    @property
    def retry(self) -> RetryPolicy: ...

    @property
    def timeout(self) -> float | None:
        """Seconds per attempt (None: no limit)."""
        ...

    @property
    def concurrency(self) -> int | None:
        """Most runs of this job one worker executes at once (None: only the worker's limit)."""
        ...


def global_concurrency(job: RunnableJob) -> int | None:
    """A job's limit over every worker and process (``Job.global_concurrency``; None: none)."""
    value = getattr(job, "global_concurrency", None)
    return value if isinstance(value, int) else None


@dataclass(slots=True)
class WorkerStats:
    """Counters since the worker started (for logs, ``/metrics`` and tests)."""

    claimed: int = 0
    succeeded: int = 0
    retried: int = 0
    """Failed attempts that were scheduled for a retry."""
    failed: int = 0
    """Runs marked failed (dead letter) by this worker."""
    timeouts: int = 0
    cancelled: int = 0
    """Attempts stopped because an operator cancelled their run."""
    lease_lost: int = 0
    released: int = 0
    """Attempts given back at shutdown."""
    store_errors: int = 0
    abandoned_threads: int = 0
    """Sync functions left running in their thread after a timeout or cancellation."""


@dataclass(slots=True, eq=False)
class _Active:
    claimed: ClaimedRun
    task: asyncio.Task[None] | None = None
    cancel_reason: CancelReason | None = None
    finishing: bool = False
    """The job has returned or raised; its outcome is being recorded (do not cancel)."""
    released: bool = False
    """Its concurrency slot is free again (from ``finishing`` on: see ``Worker._release``)."""

    @property
    def run_id(self) -> str:
        return self.claimed.run.id

    @property
    def job_id(self) -> str:
        return self.claimed.run.job_id


def _utc(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


def _error_text(exc: BaseException) -> str:
    """What a failed attempt records (stored, shown, logged): query tokens of URLs masked."""
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    text = mask_urls_in(text)
    return text if len(text) <= _ERROR_LIMIT else text[: _ERROR_LIMIT - 1] + "…"


def default_worker_id() -> str:
    """``host:pid:random`` - unique per worker, readable in the dashboard's attempt list."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Worker:
    """Executes the runs of ``jobs`` from ``store``, at least once.

    * **store** - an opened :class:`~hookpoint.store.Store` (the caller opens and closes it).
    * **jobs** - job id → job; only runs of these job ids are claimed.
    * **http** - the ``httpx.AsyncClient`` shared as ``io.http`` (the caller closes it).
    * **worker_id** - recorded as the lease owner and on each attempt (default ``host:pid:rand``).
    * **concurrency** - runs executed at once by this worker.
    * **lease_seconds** - how long a claim lasts without a heartbeat; a crashed worker's runs
      are picked up again this long after its last heartbeat.
    * **heartbeat_interval** - seconds between lease extensions (default ``lease_seconds / 3``).
    * **poll_interval** - longest wait between claims when nothing wakes the worker (retries
      that come due are found by this poll).
    * **payload_models** - endpoint id → the provider's payload model, for
      ``request.event_model()``.
    * **on_dead** - called with the job id when this worker marks a run failed for good (the
      host's alert check wakes up on it, docs/alerts.md); it must not block or raise.

    Use ``async with Worker(...):`` or ``start()``/``stop()``; ``run_forever()`` for a worker
    process and ``run_until_idle()`` in tests and scripts.
    """

    def __init__(
        self,
        store: Store,
        jobs: Mapping[str, RunnableJob],
        *,
        http: httpx.AsyncClient | None = None,
        worker_id: str | None = None,
        concurrency: int = 16,
        lease_seconds: float = 30.0,
        heartbeat_interval: float | None = None,
        poll_interval: float = 1.0,
        logger: logging.Logger | None = None,
        payload_models: Mapping[str, Callable[[Any], Any]] | None = None,
        on_dead: Callable[[str], None] | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be >= 1, got {concurrency}")
        if not lease_seconds > 0:
            raise ValueError(f"lease_seconds must be > 0, got {lease_seconds}")
        if heartbeat_interval is None:
            heartbeat_interval = lease_seconds / 3
        if not 0 < heartbeat_interval < lease_seconds:
            raise ValueError(
                f"heartbeat_interval must be > 0 and shorter than lease_seconds "
                f"({lease_seconds}), got {heartbeat_interval}"
            )
        if not poll_interval > 0:
            raise ValueError(f"poll_interval must be > 0, got {poll_interval}")
        self.store = store
        self.jobs = jobs
        self.http = http
        self.worker_id = worker_id or default_worker_id()
        self.concurrency = concurrency
        self.lease_seconds = float(lease_seconds)
        self.heartbeat_interval = float(heartbeat_interval)
        self.poll_interval = float(poll_interval)
        self.log = logger or logging.getLogger("hookpoint.worker")
        self.payload_models = dict(payload_models or {})
        self.on_dead = on_dead
        self.stats = WorkerStats()
        self._active: dict[str, _Active] = {}
        """Claimed runs whose task has not ended: executing, or recording their outcome."""
        self._executing = 0
        """Runs in ``_active`` whose job code has not returned yet (they hold the slots)."""
        self._per_job: Counter[str] = Counter()
        self._wake = asyncio.Event()
        self._progress = asyncio.Event()
        self._stopped = asyncio.Event()
        self._stopping = False
        self._started = False
        self._claim_task: asyncio.Task[None] | None = None
        self._heartbeat_task: asyncio.Task[None] | None = None
        self._round_robin = 0

    # -- public lifecycle --------------------------------------------------------------------------
    @property
    def in_flight(self) -> int:
        """Runs being executed right now."""
        return len(self._active)

    @property
    def running(self) -> bool:
        """Started and not stopping."""
        return self._started and not self._stopping

    def wake(self) -> None:
        """Claim now (e.g. after runs were queued in this process) instead of at the next poll."""
        self._wake.set()

    async def start(self) -> None:
        """Start claiming and executing runs in the background."""
        if self._started:
            raise RuntimeError("this worker was already started; create a new Worker instead")
        self._started = True
        self._claim_task = asyncio.create_task(self._claim_loop(), name="hookpoint-worker-claim")
        self._heartbeat_task = asyncio.create_task(
            self._heartbeat_loop(), name="hookpoint-worker-heartbeat"
        )
        self.log.info(
            "worker %s started: %d job(s), concurrency %d, lease %.3gs",
            self.worker_id,
            len(self.jobs),
            self.concurrency,
            self.lease_seconds,
        )

    async def stop(self, graceful_timeout: float = 10.0) -> None:
        """Stop claiming; wait up to ``graceful_timeout`` seconds for in-flight runs, then cancel
        the rest and release them (queued again, due now). Safe to call more than once."""
        if not self._started:
            return
        if self._stopping:
            await self._stopped.wait()
            return
        self._stopping = True
        self._wake.set()
        try:
            await self._stop(graceful_timeout)
        finally:
            self._stopped.set()

    async def _stop(self, graceful_timeout: float) -> None:
        # The claim loop is not cancelled in the middle of a claim (its runs would be leased to
        # nobody until the lease expires): it sees _stopping and exits on its own.
        if self._claim_task is not None:
            await asyncio.wait({self._claim_task}, timeout=max(graceful_timeout, 1.0))
            if not self._claim_task.done():
                self._claim_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._claim_task
        tasks = self._tasks()
        if tasks and graceful_timeout > 0:
            self.log.info("worker %s stopping: waiting for %d run(s)", self.worker_id, len(tasks))
            await asyncio.wait(tasks, timeout=graceful_timeout)
        for active in list(self._active.values()):
            if not active.finishing:
                self._cancel(active, "shutdown")
        tasks = self._tasks()
        if tasks:  # releasing (or recording outcomes) needs the store; bound the wait anyway
            await asyncio.wait(tasks, timeout=max(5.0, self.lease_seconds))
        if self._heartbeat_task is not None:
            self._heartbeat_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat_task
        for active in list(self._active.values()):  # still stuck: leave them to lease expiry
            if active.task is not None:
                active.task.cancel()
        self.log.info("worker %s stopped (%s)", self.worker_id, self.stats)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def run_forever(self) -> None:
        """Start (if needed) and run until :meth:`stop` is called; on cancellation, stop
        gracefully and re-raise."""
        if not self._started:
            await self.start()
        try:
            await self._stopped.wait()
        except asyncio.CancelledError:
            await asyncio.shield(self.stop())
            raise

    async def run_until_idle(self, timeout: float = 30.0) -> None:
        """Process runs until none of this worker's jobs has a run queued (retries scheduled
        for later included) or running (leases held by other workers included: an expired
        one is taken over). Starts and stops the worker unless it is already started.

        Raises TimeoutError when that takes longer than ``timeout`` seconds.
        """
        owned = not self._started
        if owned:
            await self.start()
        try:
            async with asyncio.timeout(timeout):
                while True:
                    self._progress.clear()
                    if not self._active and await self._nothing_pending() and not self._active:
                        break
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(min(self.poll_interval, 0.1)):
                            await self._progress.wait()
        except BaseException:
            if owned:  # timed out or cancelled: release what is still running, now
                await self.stop(graceful_timeout=0)
            raise
        if owned:
            await self.stop()

    async def _nothing_pending(self) -> bool:
        for job_id in list(self.jobs):
            for status in ("queued", "running"):
                page = await self.store.list_runs(RunQuery(job_id=job_id, status=status, limit=1))
                if page.items:
                    return False
        return True

    # -- claiming ----------------------------------------------------------------------------------
    async def _claim_loop(self) -> None:
        failures = 0
        while not self._stopping:
            self._wake.clear()
            try:
                more = await self._claim()
                failures = 0
                if not more:
                    await self._idle_wait()
                else:
                    # Let the runs just launched start (a short job returns at once and frees
                    # its slot) before the next claim counts the free slots: claimed at once,
                    # they counted as executing and the next claim took half as many.
                    await asyncio.sleep(0)
            except Exception:
                failures += 1
                self.stats.store_errors += 1
                delay = min(30.0, 0.5 * 2 ** min(failures - 1, 10))
                self.log.exception(
                    "worker %s: claiming runs failed (%d in a row); retrying in %.1fs",
                    self.worker_id,
                    failures,
                    delay,
                )
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await self._wake.wait()

    def _claim_groups(self, free: int) -> list[tuple[list[str], int]]:
        """``(job_ids, limit)`` claims that fill ``free`` slots without exceeding any job's
        concurrency: jobs with room for all free slots share one claim; each tighter one gets
        its own, limited to its room. The order rotates so no group starves the others."""
        shared: list[str] = []
        groups: list[tuple[list[str], int]] = []
        for job_id, job in list(self.jobs.items()):
            room = free if job.concurrency is None else job.concurrency - self._per_job[job_id]
            if room >= free:
                shared.append(job_id)
            elif room > 0:
                groups.append(([job_id], room))
        if shared:
            groups.append((shared, free))
        if len(groups) > 1:
            self._round_robin = (self._round_robin + 1) % len(groups)
            groups = groups[self._round_robin :] + groups[: self._round_robin]
        return groups

    async def _claim(self) -> bool:
        """Claim into the free slots; True when a claim came back full (more may be due)."""
        free = self._free_slots()
        if free <= 0:
            return False
        more = False
        for job_ids, room in self._claim_groups(free):
            limit = min(room, self._free_slots())
            if limit <= 0 or self._stopping:
                break
            limits = {
                job_id: n
                for job_id in job_ids
                if (n := global_concurrency(self.jobs[job_id])) is not None
            }
            claimed = await self.store.claim_runs(
                self.worker_id,
                limit=limit,
                lease_seconds=self.lease_seconds,
                job_ids=job_ids,
                global_limits=limits or None,
            )
            for run in claimed:
                self._launch(run)
            more = more or len(claimed) >= limit
        if not more:
            self._progress.set()
        return more

    async def _idle_wait(self) -> None:
        waits: list[asyncio.Future[Any]] = [asyncio.ensure_future(self._wake.wait())]
        if self._free_slots() > 0:
            waits.append(asyncio.ensure_future(self.store.wait_for_runs(self.poll_interval)))
        try:
            done, _ = await asyncio.wait(
                waits, timeout=self.poll_interval, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for waiter in waits:
                waiter.cancel()
            await asyncio.gather(*waits, return_exceptions=True)
        for waiter in done:
            if not waiter.cancelled() and waiter.exception() is not None:
                raise waiter.exception()  # type: ignore[misc]  # a store error: back off

    def _free_slots(self) -> int:
        """Slots for new claims: ``concurrency`` counts runs whose job code is executing. A run
        whose code has returned frees its slot while its outcome is committed (a commit round
        trip of the store; under load several milliseconds, and for short jobs longer than the
        job itself). At most twice ``concurrency`` runs are claimed at a time in all."""
        return min(self.concurrency - self._executing, 2 * self.concurrency - len(self._active))

    def _release(self, active: _Active) -> None:
        """Free ``active``'s slot (once): its job code has returned, or its task ended."""
        if active.released:
            return
        active.released = True
        self._executing -= 1
        self._per_job[active.job_id] -= 1
        if self._per_job[active.job_id] <= 0:
            del self._per_job[active.job_id]
        self._wake.set()

    def _finishing(self, active: _Active) -> None:
        """The job has returned or raised: record its outcome, no longer cancellable, and its
        slot goes to the next run."""
        active.finishing = True
        self._release(active)

    def _launch(self, claimed: ClaimedRun) -> None:
        self.stats.claimed += 1
        active = _Active(claimed)
        previous = self._active.get(active.run_id)
        if previous is not None:  # our own lease expired and we claimed the run again
            self._cancel(previous, "lease lost")
        self._active[active.run_id] = active
        self._executing += 1
        self._per_job[active.job_id] += 1
        active.task = asyncio.create_task(
            self._execute(active), name=f"hookpoint-run-{active.run_id}#{claimed.attempt}"
        )
        active.task.add_done_callback(lambda task: self._finished(active, task))

    def _finished(self, active: _Active, task: asyncio.Task[None]) -> None:
        if self._active.get(active.run_id) is active:
            del self._active[active.run_id]
        self._release(active)
        self._wake.set()
        self._progress.set()
        if not task.cancelled() and (exc := task.exception()) is not None:
            self.log.error(
                "worker %s: run %s crashed the engine",
                self.worker_id,
                active.run_id,
                exc_info=exc,
            )

    def _tasks(self) -> set[asyncio.Task[None]]:
        return {a.task for a in self._active.values() if a.task is not None and not a.task.done()}

    def _cancel(self, active: _Active, reason: CancelReason) -> None:
        if active.task is None or active.task.done() or active.cancel_reason is not None:
            return
        active.cancel_reason = reason
        active.task.cancel()
        job = self.jobs.get(active.job_id)
        if job is not None and not is_async_callable(job.run):
            self.stats.abandoned_threads += 1

    # -- heartbeats --------------------------------------------------------------------------------
    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_interval)
            try:
                await self._heartbeat()
            except Exception:
                self.stats.store_errors += 1
                self.log.warning(
                    "worker %s: heartbeat failed; leases run out in %.3gs without one",
                    self.worker_id,
                    self.lease_seconds,
                    exc_info=True,
                )

    async def _heartbeat(self) -> None:
        beating = [a for a in self._active.values() if not a.finishing and a.cancel_reason is None]
        if not beating:
            return
        owned = await self.store.heartbeat(
            self.worker_id, [a.run_id for a in beating], self.lease_seconds
        )
        for active in beating:
            if active.run_id in owned:
                continue
            record = await self.store.get_run(active.run_id)
            if active.finishing or self._active.get(active.run_id) is not active:
                continue  # it finished meanwhile: that is why the lease is gone
            reason: CancelReason = (
                "cancelled" if record is not None and record.status == "cancelled" else "lease lost"
            )
            self.log.warning(
                "worker %s: run %s attempt %d: %s; stopping it",
                self.worker_id,
                active.run_id,
                active.claimed.attempt,
                "cancelled" if reason == "cancelled" else "lease lost to another worker",
            )
            self._cancel(active, reason)

    # -- executing ---------------------------------------------------------------------------------
    def _context(self, claimed: ClaimedRun) -> RunContext:
        run, request = claimed.run, claimed.request
        return RunContext(
            run_id=run.id,
            attempt=claimed.attempt,
            max_attempts=run.max_attempts,
            job_id=run.job_id,
            job_version=run.job_version,
            endpoint_id=run.endpoint_id,
            request_id=run.request_id,
            event_type=request.event_type,
            event_id=request.event_id,
            worker_id=self.worker_id,
            replay_of=run.replay_of,
            test=run.test,
        )

    def _request(self, claimed: ClaimedRun) -> WebhookRequest:
        stored = claimed.request
        return stored_to_request(stored, payload_model=self.payload_models.get(stored.endpoint_id))

    async def _execute(self, active: _Active) -> None:
        claimed = active.claimed
        ctx = self._context(claimed)
        job = self.jobs.get(ctx.job_id)
        io = IO(self.store, ctx, http=self.http)
        if job is None:
            self._finishing(active)
            error = f"job {ctx.job_id!r} is not defined in this worker (removed or renamed?)"
            await io.logger.error(error)
            await self._record_failure(active, io, error, retry_at=None)
            return
        timeout: asyncio.Timeout | None = None
        try:
            request = self._request(claimed)
            async with asyncio.timeout(job.timeout) as timeout:
                result = await call_maybe_async(job.run, request, io, ctx)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if active.cancel_reason is None and task is not None and task.cancelling() == 0:
                # The job raised CancelledError itself: an ordinary failure.
                self._finishing(active)
                await self._on_error(active, job, io, asyncio.CancelledError("raised by the job"))
                return
            external = active.cancel_reason is None  # not ours: the loop is shutting down
            if external:
                active.cancel_reason = "shutdown"
            elif task is not None:
                task.uncancel()
            self._finishing(active)
            await self._on_cancelled(active, io)
            if external:
                raise
            return
        except Exception as exc:
            self._finishing(active)
            if timeout is not None and timeout.expired():
                await self._on_timeout(active, job, io)
            else:
                await self._on_error(active, job, io, exc)
            return
        self._finishing(active)
        if active.cancel_reason is not None:  # the job swallowed our cancellation
            await self._on_cancelled(active, io)
            return
        await self._on_success(active, io, result)

    async def _on_success(self, active: _Active, io: IO, result: Any) -> None:
        output = None
        if result is not None:
            try:
                output = to_json_value(result)
            except TypeError:
                await io.logger.warn(
                    f"The job returned a {type(result).__name__}, which is not JSON data; "
                    "no output stored"
                )
        await io.logger.flush()
        claimed = active.claimed
        ok = await self._record(
            "finish",
            active,
            self.store.finish_run,
            self.worker_id,
            claimed.run.id,
            claimed.attempt,
            output=output,
            detail=io.attempt_detail,
        )
        if ok:
            self.stats.succeeded += 1
        else:
            self.stats.lease_lost += 1
            self.log.warning(
                "worker %s: run %s attempt %d succeeded but its lease was lost; "
                "the outcome was not recorded",
                self.worker_id,
                claimed.run.id,
                claimed.attempt,
            )

    async def _on_timeout(self, active: _Active, job: RunnableJob, io: IO) -> None:
        self.stats.timeouts += 1
        error = f"TimeoutError: the attempt exceeded the job's timeout of {job.timeout:g}s"
        if not is_async_callable(job.run):
            self.stats.abandoned_threads += 1
            error += " (its sync function cannot be interrupted and still runs in its thread)"
        await self._fail(active, job, io, error, retryable=True, tb=None)

    async def _on_error(
        self, active: _Active, job: RunnableJob, io: IO, exc: BaseException
    ) -> None:
        tb = mask_urls_in("".join(traceback.format_exception(exc, limit=-_TRACEBACK_FRAMES)))
        after = exc.seconds if isinstance(exc, RetryAfter) else None
        await self._fail(
            active,
            job,
            io,
            _error_text(exc),
            retryable=job.retry.should_retry(exc),
            tb=None if after is not None else tb,
            retry_after=after,
        )

    async def _fail(
        self,
        active: _Active,
        job: RunnableJob,
        io: IO,
        error: str,
        *,
        retryable: bool,
        tb: str | None,
        retry_after: float | None = None,
    ) -> None:
        attempt, max_attempts = active.claimed.attempt, active.claimed.run.max_attempts
        now = time.time()
        if not retryable:
            retry_at = None
        elif retry_after is not None:
            retry_at = job.retry.retry_after_at(
                retry_after, attempt, now, max_attempts=max_attempts
            )
        else:
            retry_at = job.retry.next_retry_at(attempt, now, max_attempts=max_attempts)
        if retry_at is not None:
            when = f"retrying in {retry_at - time.time():.3g}s (attempt {attempt + 1} of "
            when += f"{max_attempts})"
        elif not retryable:
            when = "not retried"
        else:
            when = f"no attempts left ({max_attempts})"
        data: dict[str, Any] = {"error": error, "attempt": attempt}
        if tb is not None:
            data["traceback"] = tb
        await io.logger.error(f"Attempt {attempt} failed: {error}; {when}", data)
        await self._record_failure(active, io, error, retry_at=retry_at)

    async def _record_failure(
        self, active: _Active, io: IO, error: str, *, retry_at: float | None
    ) -> None:
        await io.logger.flush()
        claimed = active.claimed
        ok = await self._record(
            "fail",
            active,
            self.store.fail_attempt,
            self.worker_id,
            claimed.run.id,
            claimed.attempt,
            error=error,
            retry_at=retry_at,
            detail=io.attempt_detail,
        )
        if not ok:
            self.stats.lease_lost += 1
        elif retry_at is None:
            self.stats.failed += 1
            if self.on_dead is not None:
                self.on_dead(active.job_id)
        else:
            self.stats.retried += 1

    async def _on_cancelled(self, active: _Active, io: IO) -> None:
        reason = active.cancel_reason
        attempt = active.claimed.attempt
        if reason == "cancelled":
            self.stats.cancelled += 1
            await io.logger.warn(f"Run cancelled; attempt {attempt} stopped")
        elif reason == "lease lost":
            self.stats.lease_lost += 1
            await io.logger.warn(
                f"Attempt {attempt} stopped: this worker lost the run's lease "
                "(another worker may have taken it over)"
            )
        else:
            await io.logger.warn(
                f"Attempt {attempt} stopped: the worker is shutting down; the run is queued again"
            )
        await io.logger.flush()
        if reason == "shutdown":
            claimed = active.claimed
            if await self._record(
                "release",
                active,
                self.store.release_run,
                self.worker_id,
                claimed.run.id,
                claimed.attempt,
            ):
                self.stats.released += 1

    async def _record(
        self,
        what: str,
        active: _Active,
        method: Callable[..., Awaitable[bool]],
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        """Call a store method recording an attempt's outcome; retry store errors a few times
        (the heartbeat keeps the lease meanwhile). False when the lease is no longer ours."""
        for attempt in range(1, _RECORD_TRIES + 1):
            try:
                return await method(*args, **kwargs)
            except Exception:
                self.stats.store_errors += 1
                if attempt == _RECORD_TRIES:
                    self.log.exception(
                        "worker %s: could not %s run %s attempt %d; it runs again when its "
                        "lease expires",
                        self.worker_id,
                        what,
                        active.run_id,
                        active.claimed.attempt,
                    )
                    return False
                self.log.warning(
                    "worker %s: %s of run %s failed; retrying",
                    self.worker_id,
                    what,
                    active.run_id,
                    exc_info=True,
                )
                await asyncio.sleep(min(5.0, 0.2 * 2**attempt))
        return False
