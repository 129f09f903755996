"""The store interface every backend implements (SQLite, PostgreSQL).

Times are Unix seconds as ``float`` (UTC). Ids are strings (lexicographically time-ordered, see
:func:`new_id`). Every method raises :class:`~hookpoint.StoreError` (or its subclass
``StoreUnavailable``) on failure; never a driver exception, never a silent drop.

Guarantees the host and the run engine rely on:

* ``ingest`` is one transaction: the request row, its dedupe key and one run per job are committed
  together before it returns. Concurrent callers share commits (group commit), and each caller is
  released only after the commit that holds its row.
* A run is executed by at most one worker at a time: ``claim_runs`` hands it out with a lease;
  only the lease owner may finish it; an expired lease makes it claimable again (at-least-once).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .._errors import StoreError

__all__ = [
    "BULK_NOTES_KEPT",
    "BULK_RUN_IDS_KEPT",
    "FEED_MAX_LIMIT",
    "HOUR",
    "MAX_HOURS",
    "REQUEST_OUTCOMES",
    "RUN_STATUSES",
    "AlertInputs",
    "AlertMark",
    "Attempt",
    "BulkAction",
    "BulkKind",
    "BulkStatus",
    "ClaimedRun",
    "DeadRuns",
    "FeedEntry",
    "FeedPage",
    "HourlyActivity",
    "IngestResult",
    "LogLine",
    "Matches",
    "NewBulkAction",
    "NewRequest",
    "NewRun",
    "NotFound",
    "Page",
    "QueueStats",
    "RejectedRequest",
    "RequestQuery",
    "RunQuery",
    "RunRecord",
    "RunStatus",
    "Store",
    "StoreStats",
    "StoredRequest",
    "hour_window",
    "new_id",
]

RunStatus = Literal["queued", "running", "succeeded", "failed", "cancelled"]
RequestStatus = Literal["accepted", "duplicate", "handshake", "rejected"]
BulkKind = Literal["replay_runs", "redeliver_requests"]
BulkStatus = Literal["running", "done", "failed"]
RUN_STATUSES: tuple[RunStatus, ...] = ("queued", "running", "succeeded", "failed", "cancelled")
REQUEST_OUTCOMES = ("accepted", "duplicate", "rejected", "handshake", "test")
"""What :meth:`Store.hourly_activity` counts requests by: their status, except that a test
delivery (always stored ``accepted``) counts as ``test``, not as the sender's traffic."""
HOUR = 3600
MAX_HOURS = 168
"""The most hours :meth:`Store.hourly_activity` counts at once (a week)."""


class NotFound(StoreError, LookupError):
    """The run or request named in a replay does not exist (the API answers 404, not 503)."""


_id_lock = threading.Lock()
_id_last = [0, 0]  # (ms, random part) of the previous id made by this process
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_PAIRS = tuple(a + b for a in _ALPHABET for b in _ALPHABET)  # 10 bits -> two characters


def new_id() -> str:
    """A 26-char, time-ordered, unique id (48-bit ms time + 80 random bits, Crockford base32).

    Monotonic within a process: an id made in the same millisecond as the previous one (or after
    the clock stepped back) reuses that millisecond and increments the random part, so ids sort
    in creation order and ``ORDER BY id`` is "oldest first" for one host.
    """
    ms = int(time.time() * 1000)
    rand = int.from_bytes(os.urandom(10), "big")
    with _id_lock:
        last_ms, last_rand = _id_last
        if ms <= last_ms:
            ms, rand = last_ms, last_rand + 1
            if rand >> 80:  # 2**80 ids in one millisecond: borrow the next one
                ms, rand = ms + 1, 0
        _id_last[0], _id_last[1] = ms, rand
    # Base32 of the 128 bits (padded with two zero bits to 130), in an alphabet in ASCII order
    # so ids sort by value: 13 table lookups of 10 bits each (a third of base64.b32encode's
    # cost, and this runs twice per ingested request).
    n = ((ms << 80) | rand) << 2
    p = _PAIRS
    return (
        p[n >> 120]
        + p[(n >> 110) & 1023]
        + p[(n >> 100) & 1023]
        + p[(n >> 90) & 1023]
        + p[(n >> 80) & 1023]
        + p[(n >> 70) & 1023]
        + p[(n >> 60) & 1023]
        + p[(n >> 50) & 1023]
        + p[(n >> 40) & 1023]
        + p[(n >> 30) & 1023]
        + p[(n >> 20) & 1023]
        + p[(n >> 10) & 1023]
        + p[n & 1023]
    )


@dataclass(frozen=True, slots=True)
class NewRun:
    """A run to create at ingest (or replay) time for one matching job."""

    job_id: str
    job_version: str
    max_attempts: int


@dataclass(frozen=True, slots=True)
class NewRequest:
    """Everything ``ingest`` stores for one accepted delivery (or handshake exchange)."""

    id: str
    endpoint_id: str
    method: str
    url: str
    headers: Sequence[tuple[str, str]]
    body: bytes
    received_at: float
    client: str | None = None
    status: RequestStatus = "accepted"
    """``accepted`` (verified, runs may follow) or ``handshake`` (recorded exchange, no runs)."""
    verification: str = "verified"
    """``verified``, ``unsigned`` (allowed unsigned) or ``none`` (endpoint opted out)."""
    event_type: str | None = None
    event_id: str | None = None
    event_time: float | None = None
    dedupe_window: float = 0.0
    """Seconds; when > 0 and :attr:`dedupe_on` is set, a repeat of it on the same endpoint
    inside the window is a duplicate."""
    runs: Sequence[NewRun] = ()
    body_size: int | None = None
    """The size the body had when ``body`` is not kept (handshakes); ``None``: ``len(body)``."""
    dedupe_key: str | None = None
    """The key deduped on when it is not ``event_id`` (a provider endpoint's ``dedupe=``); it is
    kept only in the dedupe keys, not in the request row."""

    @property
    def dedupe_on(self) -> str | None:
        """What a repeat is recognised by: ``dedupe_key``, else ``event_id``."""
        return self.dedupe_key if self.dedupe_key is not None else self.event_id

    test: bool = False
    """A test delivery (the dashboard's **Test**, ``hookpoint test``): not from the sender, not
    verified; its runs are marked ``test`` too."""


@dataclass(frozen=True, slots=True)
class IngestResult:
    request_id: str
    duplicate: bool
    """True when the dedupe key (``NewRequest.dedupe_on``) was seen inside the window: stored as
    a duplicate, no runs made."""
    duplicate_of: str | None
    run_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RejectedRequest:
    """A request that failed verification (metadata only; the body is not kept)."""

    id: str
    endpoint_id: str
    method: str
    url: str
    headers: Sequence[tuple[str, str]]
    reason: str
    received_at: float
    client: str | None = None
    body_size: int = 0


@dataclass(frozen=True, slots=True)
class StoredRequest:
    id: str
    endpoint_id: str
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    """``()`` in ``list_requests`` pages, which do not read them."""
    body: bytes
    """``b""`` in ``list_requests`` pages (and for rejected requests): ``body_size`` tells."""
    received_at: float
    client: str | None
    status: RequestStatus
    verification: str
    event_type: str | None
    event_id: str | None
    event_time: float | None
    duplicate_of: str | None = None
    reason: str | None = None
    """For rejected requests: why (their ``body`` is empty)."""
    body_size: int = 0
    test: bool = False
    """A test delivery (see :attr:`NewRequest.test`)."""


@dataclass(frozen=True, slots=True)
class RunRecord:
    id: str
    request_id: str
    endpoint_id: str
    job_id: str
    job_version: str
    status: RunStatus
    attempt: int
    """Number of attempts started so far."""
    max_attempts: int
    created_at: float
    updated_at: float
    next_attempt_at: float | None
    lease_owner: str | None
    lease_expires_at: float | None
    last_error: str | None
    output: Any
    """What the job returned (JSON data); always ``None`` in ``list_runs`` pages, which do
    not read it: ``get_run`` does."""
    replay_of: str | None = None
    test: bool = False
    """Made for a test delivery (its request's ``test``; a replay keeps it)."""


@dataclass(frozen=True, slots=True)
class ClaimedRun:
    """A run handed to a worker, with the request it was made for."""

    run: RunRecord
    request: StoredRequest
    attempt: int
    """The attempt number this claim is executing (1-based)."""


@dataclass(frozen=True, slots=True)
class Attempt:
    run_id: str
    number: int
    worker: str
    started_at: float
    finished_at: float | None
    status: Literal["running", "succeeded", "failed", "lost", "released"]
    error: str | None
    detail: Any = None
    """What the attempt recorded about itself beyond its error (JSON data, or None): for a
    forwarding destination the response's status, latency, headers and first 4 KiB of body,
    masked (``hookpoint._forward``)."""


@dataclass(frozen=True, slots=True)
class LogLine:
    run_id: str
    attempt: int
    at: float
    level: Literal["debug", "info", "warn", "error"]
    message: str
    data: Any = None


@dataclass(frozen=True, slots=True)
class RequestQuery:
    endpoint_id: str | None = None
    status: RequestStatus | None = None
    event_type: str | None = None
    since: float | None = None
    until: float | None = None
    limit: int = 50
    before_id: str | None = None
    """Keyset pagination: only ids strictly smaller (older) than this."""


@dataclass(frozen=True, slots=True)
class RunQuery:
    endpoint_id: str | None = None
    job_id: str | None = None
    request_id: str | None = None
    status: RunStatus | None = None
    event_type: str | None = None
    since: float | None = None
    until: float | None = None
    limit: int = 50
    before_id: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    items: tuple[Any, ...]
    next_before_id: str | None = None


@dataclass(frozen=True, slots=True)
class Matches:
    """Every run or request a listing query selects, read in one snapshot (``match_runs``,
    ``match_requests``): their ids, newest first, and the first ``sample`` listed records."""

    ids: tuple[str, ...]
    sample: tuple[Any, ...]
    more: bool = False
    """More than the ``most`` asked for matched: ``ids`` stops there."""


@dataclass(frozen=True, slots=True)
class NewBulkAction:
    """A bulk replay or re-delivery about to start (``begin_bulk_action``)."""

    id: str
    kind: BulkKind
    idempotency_key: str
    """Unique among all bulk actions: a second action with the same key is the first one."""
    actor: str
    """Who asked: ``api token``, ``dashboard login <session>``, ``cli <user>@<host>``."""
    client: str | None
    """The client address (API, dashboard); ``None`` from the CLI."""
    query: dict[str, Any]
    """The listing filters, normalised (times as Unix seconds)."""
    snapshot: str
    """Only runs or requests with an id below this one were considered."""
    matched: int
    created_at: float


@dataclass(frozen=True, slots=True)
class BulkAction:
    """One recorded bulk action (the audit log, ``bulk_actions``)."""

    id: str
    kind: BulkKind
    idempotency_key: str
    actor: str
    client: str | None
    query: dict[str, Any]
    snapshot: str
    status: BulkStatus
    """``running`` until it ends, then ``done`` or ``failed`` (``error`` says why)."""
    matched: int
    replayed: int
    """Runs replayed, or requests re-delivered."""
    skipped: int
    """Matched but not acted on: a request that cannot be re-delivered, a run purged meanwhile."""
    new_runs: int
    run_ids: tuple[str, ...]
    """The new runs' ids, at most ``BULK_RUN_IDS_KEPT`` of them (``new_runs`` counts all)."""
    notes: tuple[tuple[str, str], ...]
    """``(id, why)`` of skipped items, at most ``BULK_NOTES_KEPT``."""
    created_at: float
    finished_at: float | None
    error: str | None


BULK_RUN_IDS_KEPT = 1000
BULK_NOTES_KEPT = 100


@dataclass(frozen=True, slots=True)
class HourlyActivity:
    """What one endpoint received and ran, per UTC hour (:meth:`Store.hourly_activity`)."""

    endpoint_id: str
    hours: tuple[float, ...]
    """The start of each hour (Unix seconds, a multiple of 3600), oldest first."""
    requests: dict[str, tuple[int, ...]]
    """Requests received in each hour, by outcome: every key of :data:`REQUEST_OUTCOMES`,
    each with one count per hour (zero for an hour without any)."""
    runs: dict[str, tuple[int, ...]]
    """Runs created in each hour by the status they have now: every key of
    :data:`RUN_STATUSES`, one count per hour. Runs of test deliveries are counted too."""


def hour_window(hours: int, now: float) -> tuple[float, float]:
    """``(since, until)`` of ``hours`` whole UTC hours ending with the one ``now`` is in (so the
    last hour is still going on): the range :meth:`Store.hourly_activity` counts."""
    current = (int(now) // HOUR) * HOUR
    return float(current - (hours - 1) * HOUR), float(current + HOUR)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One delivery of the feed (:meth:`Store.read_feed`) and the cursor just after it."""

    cursor: str
    request: StoredRequest
    """With its headers and body."""


@dataclass(frozen=True, slots=True)
class FeedPage:
    entries: tuple[FeedEntry, ...]
    cursor: str
    """Where the next read starts: the last entry's cursor or, on an empty page, the feed's head
    (every delivery that becomes visible later comes after it)."""
    more: bool
    """The page was cut by its limit or its byte budget: read again at once."""


FEED_MAX_LIMIT = 500
"""Most deliveries in one feed page."""


@dataclass(slots=True)
class QueueStats:
    queued: int = 0
    running: int = 0
    oldest_queued_age: float = 0.0
    by_status: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AlertMark:
    """What the store keeps of one alert condition and key (``alert_state``): its state and when
    a ``firing`` notification last went out. Changed only by :meth:`Store.swap_alert_mark`."""

    state: Literal["firing", "resolved"]
    notified_at: float
    """When the last ``firing`` notification was sent (Unix seconds)."""
    changed_at: float
    """When the mark last changed."""


@dataclass(frozen=True, slots=True)
class DeadRuns:
    """The runs of one job that failed after their last attempt since a time (test runs left
    out), and the latest of them."""

    job_id: str
    count: int
    last_run_id: str
    last_endpoint_id: str
    last_error: str | None
    last_at: float


@dataclass(frozen=True, slots=True)
class AlertInputs:
    """What the alert evaluator reads of a store in one pass (``Store.alert_inputs``)."""

    dead_runs: tuple[DeadRuns, ...]
    """Per job with runs that failed for good since ``now - window``, most runs first."""
    rejected: tuple[tuple[str, int], ...]
    """``(endpoint id, rejected requests)`` since ``now - rate_period``, most first."""
    oldest_queued_age: float
    """Seconds the oldest due queued run has waited (0 when none is due)."""
    marks: dict[tuple[str, str], AlertMark] = field(default_factory=dict)
    """Every ``(condition, key)`` the store has a mark for."""


@dataclass(slots=True)
class StoreStats:
    """Counters a backend keeps (process-local, since open)."""

    commits: int = 0
    """Transactions committed by the group-commit writer (SQLite: every write; PostgreSQL:
    ingests and rejected records). Fewer commits than ingests proves group commit."""
    ingests: int = 0
    """Requests committed by ``ingest`` (duplicates included)."""
    largest_batch: int = 0
    """Most items committed in one writer transaction."""
    failed_commits: int = 0
    """Writer transactions that failed as a whole (every caller got ``StoreUnavailable``)."""


class Store(ABC):
    """The async store interface. See the module docstring for the guarantees."""

    url: str
    stats: StoreStats

    async def __aenter__(self) -> Store:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- lifecycle ---------------------------------------------------------------------------------
    @abstractmethod
    async def open(self) -> None:
        """Connect (and, for SQLite, create/upgrade the schema)."""

    @abstractmethod
    async def close(self) -> None:
        """Flush pending commits and disconnect."""

    @abstractmethod
    async def upgrade(self) -> list[str]:
        """Apply pending schema migrations; returns the versions applied."""

    @abstractmethod
    async def ping(self) -> None:
        """Raise StoreUnavailable unless the store is reachable and writable."""

    # -- ingest ------------------------------------------------------------------------------------
    @abstractmethod
    async def ingest(self, request: NewRequest) -> IngestResult:
        """Store a request + dedupe key + runs in one (group-)committed transaction."""

    @abstractmethod
    async def record_rejected(self, rejected: RejectedRequest) -> None:
        """Keep a rejected request's metadata; bounded by count and age (oldest dropped)."""

    # -- runs --------------------------------------------------------------------------------------
    @abstractmethod
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
        """Lease up to ``limit`` due runs (queued with next_attempt_at <= now, or running with an
        expired lease), starting a new attempt on each. Each run goes to exactly one caller.

        An expired lease counts as an attempt: that attempt is marked ``lost`` and the run is
        claimed again with ``attempt + 1`` — or, when ``attempt >= max_attempts``, it is marked
        ``failed`` instead (so a run that kills its worker cannot loop forever).

        ``global_limits`` (job id → n): most runs of that job ``running`` with an unexpired
        lease at once, counted over every worker and process on this store. Claims of such
        jobs are serialised (SQLite: the writer transaction, which the writers of all processes
        take in turns; PostgreSQL: a transaction-scoped advisory lock per job), so that two
        claimers never both see the last free place."""

    @abstractmethod
    async def heartbeat(
        self, worker_id: str, run_ids: Sequence[str], lease_seconds: float
    ) -> set[str]:
        """Extend the leases this worker still holds; returns the ids it still owns."""

    @abstractmethod
    async def finish_run(
        self, worker_id: str, run_id: str, attempt: int, *, output: Any = None, detail: Any = None
    ) -> bool:
        """Mark the attempt and run succeeded (``detail``: the attempt's :attr:`Attempt.detail`).
        False when the worker no longer owns the lease."""

    @abstractmethod
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
        """Record a failed attempt; requeue for ``retry_at`` or, when None, mark the run failed
        (``detail``: the attempt's :attr:`Attempt.detail`)."""

    @abstractmethod
    async def release_run(self, worker_id: str, run_id: str, attempt: int) -> bool:
        """Give a claimed run back (graceful shutdown): queued again, due now.

        The attempt is marked ``released`` and does not count against the run's attempts:
        ``max_attempts`` grows by one, so ``attempt < max_attempts`` keeps meaning "retries are
        left" and attempt numbers stay unique."""

    @abstractmethod
    async def cancel_run(self, run_id: str) -> bool:
        """Cancel a queued or running run. A running attempt learns it at its next heartbeat."""

    @abstractmethod
    async def wait_for_runs(self, timeout: float) -> None:
        """Return when new runs may be due (NOTIFY / in-process event) or after ``timeout``."""

    @abstractmethod
    async def reserve_slot(self, key: str, interval: float, now: float | None = None) -> float:
        """Pacing shared by every worker and process on this store: reserve the next start time
        of ``key`` (a destination) and return it. Atomically, the slot is ``max(next_at, now)``
        and ``next_at`` becomes ``slot + interval``; the caller waits until the slot. A reserved
        slot that goes unused (a crash) is simply lost, never given twice."""

    # -- run io ------------------------------------------------------------------------------------
    @abstractmethod
    async def append_logs(self, lines: Sequence[LogLine]) -> None: ...

    @abstractmethod
    async def get_task_result(self, run_id: str, key: str) -> tuple[bool, Any]:
        """``(True, value)`` when the task ``key`` already succeeded in this run."""

    @abstractmethod
    async def save_task_result(self, run_id: str, key: str, value: Any) -> None: ...

    # -- replay ------------------------------------------------------------------------------------
    @abstractmethod
    async def replay_run(self, run_id: str) -> str:
        """Queue a new run (new attempt series) for the same request and job; returns its id."""

    @abstractmethod
    async def replay_request(self, request_id: str, runs: Sequence[NewRun]) -> tuple[str, ...]:
        """Queue new runs for a stored request (the jobs that match it now); returns their ids."""

    # -- queries -----------------------------------------------------------------------------------
    @abstractmethod
    async def get_request(self, request_id: str) -> StoredRequest | None: ...

    @abstractmethod
    async def list_requests(self, query: RequestQuery) -> Page:
        """Newest first; includes rejected requests when ``status`` is None or ``rejected``.

        Listed requests never carry their body or headers (``body=b""``, ``headers=()``;
        ``body_size`` is the body's size), so a page costs the same whatever was delivered;
        ``get_request`` reads them for one request."""

    @abstractmethod
    async def read_feed(
        self,
        endpoint_id: str,
        *,
        after: str | None = None,
        since: float | None = None,
        limit: int = 100,
        max_bytes: int = 8 * 1024 * 1024,
    ) -> FeedPage:
        """The requests ``endpoint_id`` accepted after the cursor ``after``, with headers and
        bodies, in the order they became visible (commit order; see ``_migrations``): a reader
        that follows the cursors sees every accepted request once, none skipped, even when
        ingests in several processes commit out of id order.

        Accepted only: test deliveries are included (``request.test``); duplicates, handshakes
        and rejected requests are not (no job gets them either). Without ``after``: from the
        start when ``since`` is given (only requests received at or after it), otherwise from
        the head (an empty page whose cursor is "now"). At most ``limit`` entries (1 to
        :data:`FEED_MAX_LIMIT`) and, after the first, no more body bytes than ``max_bytes``.
        Raises ``ValueError`` for a cursor this store did not make."""

    @abstractmethod
    def accepted_event(self) -> asyncio.Event:
        """An event set when this process next commits an accepted request (after which this
        returns a new one). Take it before reading the feed and wait on it after: a commit in
        between still sets it. Commits of other processes do not: poll for those."""

    @abstractmethod
    async def get_run(self, run_id: str) -> RunRecord | None: ...

    @abstractmethod
    async def list_runs(self, query: RunQuery) -> Page:
        """Newest first; listed runs carry ``output=None`` (``get_run`` reads the output)."""

    @abstractmethod
    async def list_attempts(self, run_id: str) -> list[Attempt]: ...

    @abstractmethod
    async def list_logs(self, run_id: str) -> list[LogLine]: ...

    @abstractmethod
    async def queue_stats(self, *, finals: bool = True) -> QueueStats:
        """Queued and running runs, the oldest due one's wait, and ``by_status`` the runs per
        status. ``finals=False``: ``by_status`` leaves out the final statuses, whose counts
        read every finished run (the queue's numbers cost what the queue holds)."""

    # -- alerts ------------------------------------------------------------------------------------
    @abstractmethod
    async def alert_inputs(self, *, now: float, window: float, rate_period: float) -> AlertInputs:
        """Runs that failed for good in ``(now - window, now]`` per job, rejected requests per
        endpoint in ``(now - rate_period, now]``, the oldest due queued run's age, and every
        alert mark (docs/alerts.md)."""

    @abstractmethod
    async def swap_alert_mark(
        self, condition: str, key: str, expected: AlertMark | None, new: AlertMark
    ) -> bool:
        """Set the mark of ``(condition, key)`` to ``new`` if it is still ``expected`` (``None``:
        there is none yet), atomically: of several hosts swapping from the same mark, exactly
        one gets True (and notifies)."""

    # -- bulk actions ------------------------------------------------------------------------------
    @abstractmethod
    async def match_runs(self, query: RunQuery, *, most: int, sample: int = 10) -> Matches:
        """The ids of every run ``list_runs(query)`` pages through (``query.before_id`` is the
        upper bound, ``limit`` is ignored), at most ``most``, read in one snapshot."""

    @abstractmethod
    async def match_requests(self, query: RequestQuery, *, most: int, sample: int = 10) -> Matches:
        """Like :meth:`match_runs`, for ``list_requests`` (rejected requests included)."""

    @abstractmethod
    async def replay_runs(self, run_ids: Sequence[str]) -> list[tuple[str, str]]:
        """Replay each run (as :meth:`replay_run`) in one transaction; ``(run id, new run id)``
        of those that exist, in order (unknown ids are left out)."""

    @abstractmethod
    async def begin_bulk_action(self, action: NewBulkAction) -> tuple[BulkAction, bool]:
        """Record ``action`` as running; ``(it, True)``. When its idempotency key is taken:
        ``(the action recorded under that key, False)``, and nothing is written."""

    @abstractmethod
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
        """Record how a running bulk action ended (lists cut to what the record keeps)."""

    @abstractmethod
    async def get_bulk_action(self, action_id: str) -> BulkAction | None: ...

    @abstractmethod
    async def list_bulk_actions(self, *, limit: int = 50, before_id: str | None = None) -> Page:
        """Newest first (keyset pages, like the other listings)."""

    @abstractmethod
    async def hourly_activity(
        self,
        *,
        hours: int = 24,
        endpoint_ids: Sequence[str] | None = None,
        now: float | None = None,
    ) -> dict[str, HourlyActivity]:
        """Counts per UTC hour for the ``hours`` hours ending with the current one (see
        :func:`hour_window`): requests by ``received_at`` and outcome (rejected ones too), runs
        by ``created_at`` and status. Counted in the database (one statement, through the
        ``received_at``/``created_at`` indexes), never by reading rows.

        ``endpoint_ids``: only these endpoints, each one in the answer even without a count;
        ``None``: every endpoint that has one. :raises ValueError: ``hours`` is not 1 to
        :data:`MAX_HOURS`."""

    # -- dashboard sessions ------------------------------------------------------------------------
    @abstractmethod
    async def create_session(self, key: str, *, expires_at: float) -> None:
        """Record a logged-in dashboard session under ``key`` (a digest of the session id, never
        the id itself) until ``expires_at``; sessions that have expired are removed meanwhile."""

    @abstractmethod
    async def session_active(self, key: str, now: float) -> bool:
        """Whether the session ``key`` was created and neither revoked nor expired at ``now``:
        every process and host on the same store gives the same answer."""

    @abstractmethod
    async def revoke_session(self, key: str) -> None:
        """End the session ``key`` everywhere (logout); unknown keys are ignored."""

    # -- retention ---------------------------------------------------------------------------------
    @abstractmethod
    async def purge(self, *, older_than: float) -> int:
        """Delete requests (and their runs, attempts, logs) received before ``older_than`` whose
        runs are all final; expire dedupe keys and rejected rows. Returns rows deleted (all
        tables together)."""


class TrimCounter:
    """When a store trims its unauthenticated records (rejected requests, handshakes): once
    every ``every`` of them, counted together."""

    def __init__(self, every: int) -> None:
        self.every = every
        self._since = 0

    def due(self) -> bool:
        """Count one more record; True on every ``every``-th (and then start again)."""
        self._since += 1
        if self._since < self.every:
            return False
        self._since = 0
        return True

    def retry_next(self) -> None:
        """A trim failed: make the next record trim again."""
        self._since = self.every
