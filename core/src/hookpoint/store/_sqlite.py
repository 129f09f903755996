"""SQLite backend: one writer thread with group commit, a small pool of reader threads.

What this module owns: connections and their pragmas, the readers, handing writes to the writer
(``_submit``), ingest rows, claims and lease reaping, ending an attempt, waking workers. The
writer thread, its batch statements and the turns between processes are ``_sqlite_writer``;
the queries both stores run the same way are ``_queries`` (run here by ``_drive``).

Writes
    Every write (ingest, claims, finishes, logs, ...) is a function queued to **one writer thread**
    that owns the only write connection. The event loop hands it what one loop iteration
    produced as one list; the writer takes whatever is queued (up to ``max_batch``) — everything
    that arrived while the previous commit ran, no fixed wait window — and runs it as one
    transaction: ``BEGIN IMMEDIATE``, the batch's ingests as a few multi-row statements (dedupe
    keys, requests, runs), each other item inside its own ``SAVEPOINT``, ``COMMIT``. When the
    multi-row statements fail, the transaction is restarted and the ingests go one by one.
    Each caller's future is resolved only after ``COMMIT`` returned. An item that fails on its
    own (a constraint, a missing run) is rolled back to its savepoint and fails only its caller;
    an error that breaks the transaction (disk full, I/O error, read-only, locked) or a failed
    ``COMMIT`` rolls back the whole batch and fails every caller with
    :class:`~hookpoint.StoreUnavailable` — none of their rows are kept.

Several processes
    Host workers (``--workers``) and ``hookpoint worker`` processes on one file each have their
    writer thread. They take turns through an ``flock`` on ``<database>-lock`` held for each
    transaction: a writer whose turn it is not retries every 0.1-1 ms, for at most the busy
    timeout. SQLite's own busy handler, which they would meet otherwise, sleeps up to 100 ms
    between attempts (ingest p99 at c16 beside a ``hookpoint worker`` process: 85-353 ms
    without the turns, 25-44 ms with them; docs/benchmarks.md).

Reads
    Reader threads, each with its own connection (``query_only``), see every committed write
    (WAL). A caller reads its own writes: its future resolves after the commit.

Durability
    WAL with ``synchronous=FULL`` by default: a commit is fsynced before anyone is told it
    happened. ``synchronous=NORMAL`` survives a process crash, not a power loss.

Waking workers
    ``wait_for_runs`` waits on an in-process event that ingest, replay, release and due retries
    set. Runs stored by other processes (a host beside a ``hookpoint worker``) are noticed by a
    cheap read every ``_PEER_POLL`` seconds (0.2): the largest rowid of ``runs`` changed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Final, TypeVar, Unpack
from urllib.parse import quote

from .._errors import ConfigError, StoreError, StoreUnavailable
from . import _migrations
from ._base import (
    ClaimedRun,
    IngestResult,
    NewRequest,
    RejectedRequest,
    RunRecord,
    new_id,
)
from ._codec import encode_headers
from ._queries import Claim, EndAttempt, migrate, rooms, running_counts
from ._sql import (
    LOG_COLUMNS,
    REJECTED_COLUMNS,
    RUN_COLUMNS,
    Dialect,
    FeedSql,
    Fetch,
    Params,
    Plan,
    RunSpec,
    rejected_row,
    request_columns,
    request_from_row,
    run_from_row,
)
from ._sqlite_writer import (
    CHUNK,
    CLAIM_KEY,
    INSERT_REQUEST,
    INSERT_RUN,
    NEXT_SEQ,
    STOP,
    Bulk,
    Finish,
    Logs,
    Op,
    Writer,
    as_duplicate,
    insert_rows,
    map_error,
    resolve,
)
from ._sqlstore import SQLStore, StoreOptions

__all__ = ["SQLiteStore"]

log = logging.getLogger("hookpoint.store.sqlite")

T = TypeVar("T")
_SYNC_MODES = ("OFF", "NORMAL", "FULL", "EXTRA")
_REAP_LIMIT = 1000

SQLITE: Final = Dialect(
    name="SQLite",
    style="qmark",
    lock_rows="",
    index_hints=True,
    list_chunk=500,
    json_cast="",
    floor="CAST({} AS INTEGER)",
    # Write transactions are serial, and each one that stores requests numbers them with the
    # next value of request_seq (see _migrations, 0007): commit order, nothing to wait for.
    feed=FeedSql(
        key="seq",
        key_text="seq",
        cast="",
        max_key=2**63 - 1,
        settled="",
        head="SELECT value + 1 FROM request_seq",
    ),
)
"""SQLite's side of the queries both stores share (``_queries``)."""


def _rows(conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    # Always fetchall(): a half-read cursor would hold a read transaction open and stall
    # WAL checkpoints.
    return conn.execute(sql, params).fetchall()


def _drive(conn: sqlite3.Connection, plan: Plan[T]) -> T:
    """Run a shared query plan on ``conn`` (the writer's or a reader's)."""
    result: Any = None
    try:
        while True:
            step = plan.send(result)
            if isinstance(step, Fetch):
                result = _rows(conn, step.sql, step.values)
            else:
                result = conn.execute(step.sql, step.values).rowcount
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


def _qmarks(n: int) -> str:
    return ", ".join("?" * n)


_PEER_POLL: Final = 0.2
"""Seconds between looks for runs stored by other processes (``SQLiteStore.wait_for_runs``)."""
_JOURNAL_SIZE_LIMIT: Final = 64 * 1024 * 1024
"""What a reset WAL is truncated to."""
_WAL_LIMIT: Final = 2 * _JOURNAL_SIZE_LIMIT
"""A WAL larger than this makes the writer checkpoint it itself (``Writer._bound_wal``)."""
_WAL_CHECK_EVERY: Final = 1.0  # seconds


class _Readers:
    """A few threads, each with its own read-only connection."""

    def __init__(self, connect: Callable[[], sqlite3.Connection], size: int) -> None:
        self._connect = connect
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=max(1, size), thread_name_prefix="hookpoint-sqlite-reader"
        )
        self._local = threading.local()
        self._conns: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def _call(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            conn.execute("PRAGMA query_only = ON")
            self._local.conn = conn
            with self._lock:
                self._conns.append(conn)
        return fn(conn)

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._call, fn)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)
        with self._lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            with contextlib.suppress(sqlite3.Error):
                conn.close()


def sqlite_path_from_url(url: str) -> str:
    """``sqlite:///rel.db`` → ``rel.db``; ``sqlite:////abs.db`` → ``/abs.db``; a bare path."""
    if url.startswith("sqlite://"):
        rest = url[len("sqlite://") :]
        if not rest.startswith("/"):
            raise ConfigError(f"SQLite URL must look like sqlite:///path.db, got {url!r}")
        path = rest[1:]
    else:
        path = url
    path = path.split("?", 1)[0]
    if not path:
        raise ConfigError(f"SQLite URL names no file: {url!r}")
    if path == ":memory:" or path.startswith("file::memory:"):
        raise ConfigError(
            "an in-memory SQLite store cannot be shared by the writer and reader threads; "
            "use a file (a temporary directory in tests)"
        )
    return path


def _create_private(path: str) -> None:
    """Create a new database file readable by its owner only (SQLite gives the ``-wal`` and
    ``-shm`` files the database's mode): it holds every request's body and headers. An existing
    file keeps the mode its operator chose."""
    if path in ("", ":memory:") or path.startswith("file:"):
        return
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC, 0o600)
    except FileExistsError:
        return
    except OSError:
        return  # SQLite reports the real problem (a missing directory) more clearly
    os.close(fd)


class SQLiteStore(SQLStore):
    """The embedded store. See the module docstring for the threading and durability model."""

    dialect = SQLITE
    log = log

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        url: str | None = None,
        synchronous: str = "FULL",
        busy_timeout: float = 5.0,
        group_commit: bool = True,
        max_batch: int = 1000,
        readers: int = 2,
        auto_upgrade: bool = True,
        read_only: bool = False,
        **options: Unpack[StoreOptions],
    ) -> None:
        sync = str(synchronous).upper()
        if sync not in _SYNC_MODES:
            raise ConfigError(f"synchronous must be one of {', '.join(_SYNC_MODES)}, got {sync!r}")
        if busy_timeout < 0:
            raise ConfigError("busy_timeout must be >= 0")
        super().__init__(**options)
        self.path = os.fspath(path)
        self.url = url or f"sqlite:///{self.path}"
        self.synchronous = sync
        self.busy_timeout = float(busy_timeout)
        self.max_batch = max(1, int(max_batch)) if group_commit else 1
        self.readers = max(1, int(readers))
        self.auto_upgrade = auto_upgrade
        self.read_only = read_only
        self._writer: Writer | None = None
        self._readers: _Readers | None = None
        self._last_run_rowid: int | None = None
        self._pending: list[Op] | None = None

    def __repr__(self) -> str:
        return f"<SQLiteStore {self.path!r}>"

    # -- connections ------------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if self.read_only:
            target, uri = f"file:{quote(os.path.abspath(self.path))}?mode=ro", True
        else:
            target, uri = self.path, False
        conn = sqlite3.connect(
            target,
            uri=uri,
            timeout=self.busy_timeout,
            isolation_level=None,
            check_same_thread=False,
            cached_statements=256,
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            mode = str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
            if mode != "wal" and not self.read_only:
                raise StoreUnavailable(f"could not switch {self.path} to WAL (journal_mode={mode})")
            conn.execute(f"PRAGMA synchronous = {self.synchronous}")
            conn.execute("PRAGMA temp_store = MEMORY")
            conn.execute(f"PRAGMA journal_size_limit = {_JOURNAL_SIZE_LIMIT}")
        except BaseException:
            conn.close()
            raise
        return conn

    # -- lifecycle -------------------------------------------------------------------------------
    async def open(self) -> None:
        if self._writer is not None:
            return
        if self._closed:
            raise StoreUnavailable("the store was closed; create a new one")
        loop = asyncio.get_running_loop()
        self._loop = loop
        if not self.read_only:
            _create_private(self.path)
        # WAL checkpoints: SQLite's own (PASSIVE, run by the committing connection once the WAL
        # holds 1,000 pages), plus ``Writer._bound_wal`` when readers starve those. A
        # checkpoint thread beside the writer was measured worse through the host: its fsync of
        # the database queued the writer's commit fsync behind it (docs/benchmarks.md).
        writer = Writer(
            self._connect,
            loop,
            self.stats,
            self.max_batch,
            wal_path=None if self.read_only else self.path + "-wal",
            lock_path=None if self.read_only else self.path + "-lock",
            lock_patience=self.busy_timeout,
            wal_limit=_WAL_LIMIT,
            wal_check_every=_WAL_CHECK_EVERY,
        )
        writer.start()
        try:
            await asyncio.wrap_future(writer.ready)
        except BaseException as exc:
            await asyncio.wrap_future(writer.done)
            writer.join()
            raise map_error(exc, f"open {self.path}") from exc
        self._writer = writer
        self._readers = _Readers(self._connect, self.readers)
        try:
            if self.auto_upgrade:
                await self.upgrade()
            else:
                await self._check_schema()
            if not self.read_only and not self.pending_migrations:
                await self._write_plan(
                    lambda: self._trim_plan(time.time()), "trim rejected requests"
                )
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._cancel_timers()
        self._hand_over()  # what this iteration queued goes before the stop marker
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.queue.put(STOP)
            await asyncio.wrap_future(writer.done)
            writer.join()
        readers, self._readers = self._readers, None
        if readers is not None:
            await asyncio.to_thread(readers.shutdown)
        self._wake.set()

    async def upgrade(self) -> list[str]:
        def plan() -> Plan[list[str]]:
            return migrate(SQLITE, (), _migrations.SCHEMA_MIGRATIONS_SQLITE, lambda m: m.sqlite)

        return self._schema_upgraded(await self._write_plan(plan, "upgrade the schema"), self.path)

    async def _check_schema(self) -> None:
        def read(conn: sqlite3.Connection) -> set[str]:
            exists = _rows(
                conn, "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_migrations'"
            )
            if not exists:
                return set()
            return {r[0] for r in _rows(conn, "SELECT version FROM schema_migrations")}

        self._schema_found(await self._read(read, "read the schema version"))

    async def ping(self) -> None:
        def op(conn: sqlite3.Connection) -> None:
            # A write that is rolled back: proves the write lock and a writable file; nothing
            # is kept.
            conn.execute("SAVEPOINT ping")
            try:
                conn.execute(
                    "INSERT INTO schema_migrations (version, description, applied_at) "
                    "VALUES ('~ping', '', 0)"
                )
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK TO ping")
                    conn.execute("RELEASE ping")

        await self._write(op, "ping")

    # -- plumbing ----------------------------------------------------------------------------------
    def _require_open(self) -> tuple[asyncio.AbstractEventLoop, Writer]:
        if self._closed or self._writer is None or self._loop is None:
            raise StoreUnavailable(
                "the store is closed" if self._closed else "the store is not open"
            )
        return self._loop, self._writer

    async def _write(
        self,
        fn: Callable[[sqlite3.Connection], T],
        kind: str,
        bulk: Bulk | Logs | Finish | None = None,
    ) -> T:
        loop, _ = self._require_open()
        fut: asyncio.Future[T] = loop.create_future()
        self._submit(loop, Op(fn, fut, kind, bulk))
        return await fut

    def _submit(self, loop: asyncio.AbstractEventLoop, op: Op) -> None:
        """Queue ``op`` for the writer at the end of this event-loop iteration.

        Handing each op over as it comes wakes the writer for the first request of a burst,
        which then commits alone while the rest of the burst waits for the next commit; and
        every hand-off is a thread wake-up that fights the event loop for the GIL. Collecting
        what one iteration produces and handing it over as one list gives the writer whole
        bursts: measured through hypercorn at c16 on one core, +40 % requests/s and a third
        less CPU per request (docs/benchmarks.md)."""
        pending = self._pending
        if pending is None:
            pending = self._pending = []
            loop.call_soon(self._hand_over)
        pending.append(op)

    def _hand_over(self) -> None:
        pending, self._pending = self._pending, None
        if not pending:
            return
        writer = self._writer
        if writer is None:  # closed meanwhile (close() hands over first, so only on a bug)
            err = StoreUnavailable("the store is closed")
            resolve([(op, False, err) for op in pending])
            return
        writer.queue.put(pending)

    async def _read(self, fn: Callable[[sqlite3.Connection], T], doing: str) -> T:
        self._require_open()
        readers = self._readers
        if readers is None:
            raise StoreUnavailable("the store is not open")
        try:
            return await readers.run(fn)
        except Exception as exc:
            raise map_error(exc, doing) from exc

    async def _read_plan(
        self, make: Callable[[], Plan[T]], doing: str, *, snapshot: bool = False
    ) -> T:
        def read(conn: sqlite3.Connection) -> T:
            if not snapshot:
                return _drive(conn, make())
            conn.execute("BEGIN")
            try:
                return _drive(conn, make())
            finally:
                conn.execute("COMMIT")

        return await self._read(read, doing)

    async def _write_plan(
        self, make: Callable[[], Plan[T]], doing: str, *, atomic: bool = False
    ) -> T:
        # Every write is one transaction of the writer (or a savepoint of one): atomic anyway.
        return await self._write(lambda conn: _drive(conn, make()), doing)

    # -- ingest ------------------------------------------------------------------------------------
    async def ingest(self, request: NewRequest) -> IngestResult:
        req = request
        headers = encode_headers(req.headers)
        body = bytes(req.body)
        specs = [(new_id(), r.job_id, r.job_version, int(r.max_attempts)) for r in req.runs]
        now = time.time()
        dedupe_on = req.dedupe_on
        key = (
            (
                req.endpoint_id,
                dedupe_on,
                req.id,
                req.received_at,
                req.received_at + req.dedupe_window,
            )
            if dedupe_on is not None and req.dedupe_window > 0
            else None
        )
        bulk = Bulk(
            request_row=(
                req.id,
                req.endpoint_id,
                req.method,
                req.url,
                len(body) if req.body_size is None else req.body_size,
                req.received_at,
                req.client,
                req.status,
                req.verification,
                req.event_type,
                req.event_id,
                req.event_time,
                None,
                int(req.test),
                headers,
                body,
            ),
            run_rows=tuple(
                (rid, req.id, req.endpoint_id, job, version, max_att, now, now, now, int(req.test))
                for rid, job, version, max_att in specs
            ),
            result=IngestResult(req.id, False, None, tuple(r[0] for r in specs)),
            dedupe_key=key,
        )

        def op(conn: sqlite3.Connection) -> IngestResult:
            """The same rows as a batch writes (``Writer._bulk``), one request at a time."""
            conn.execute(NEXT_SEQ)
            if key is not None:
                # No row back from the upsert means a live key: a duplicate.
                claimed = _rows(conn, CLAIM_KEY, key)
                if not claimed:
                    holder = _rows(
                        conn,
                        "SELECT request_id FROM dedupe_keys WHERE endpoint_id = ? AND event_id = ?",
                        key[:2],
                    )[0][0]
                    conn.execute(INSERT_REQUEST, as_duplicate(bulk.request_row, holder))
                    return IngestResult(req.id, True, holder, ())
            conn.execute(INSERT_REQUEST, bulk.request_row)
            if bulk.run_rows:
                conn.executemany(INSERT_RUN, bulk.run_rows)
            return bulk.result

        result = await self._write(op, "ingest", bulk)
        self._ingested(req, result)
        if result.run_ids:
            self._notify()
        if req.status == "handshake" and self._trims.due():  # capped like rejected requests
            try:
                await self._write_plan(lambda: self._trim_plan(time.time()), "trim handshakes")
            except StoreError as exc:  # the handshake is stored; trim next time
                log.warning("trimming handshakes failed (next time, then): %s", exc)
        return result

    async def record_rejected(self, rejected: RejectedRequest) -> None:
        row = rejected_row(rejected)
        trim = self._trim_plan if self._trims.due() else None
        now = time.time()

        def op(conn: sqlite3.Connection) -> None:
            conn.execute(
                f"INSERT INTO rejected_requests ({REJECTED_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            if trim is not None:
                _drive(conn, trim(now))

        await self._write(op, "record a rejected request")

    # -- runs --------------------------------------------------------------------------------------
    @staticmethod
    def _reap(conn: sqlite3.Connection, now: float) -> None:
        """Runs whose lease expired: attempt ``lost``; requeued, or failed if none are left."""
        expired = _rows(
            conn,
            "SELECT id, attempt, max_attempts FROM runs INDEXED BY runs_leases "
            "WHERE status = 'running' AND lease_expires_at <= ? ORDER BY lease_expires_at LIMIT ?",
            (now, _REAP_LIMIT),
        )
        for run_id, attempt, max_attempts in expired:
            conn.execute(
                "UPDATE attempts SET status = 'lost', finished_at = ?, error = ? "
                "WHERE run_id = ? AND number = ? AND status = 'running'",
                (now, "lease expired (the worker stopped heartbeating)", run_id, attempt),
            )
            if attempt >= max_attempts:
                conn.execute(
                    "UPDATE runs SET status = 'failed', lease_owner = NULL, "
                    "lease_expires_at = NULL, next_attempt_at = NULL, updated_at = ?, "
                    "last_error = ? WHERE id = ?",
                    (now, f"attempt {attempt} lost (lease expired); no attempts left", run_id),
                )
            else:
                conn.execute(
                    "UPDATE runs SET status = 'queued', lease_owner = NULL, "
                    "lease_expires_at = NULL, next_attempt_at = ?, updated_at = ?, "
                    "last_error = ? WHERE id = ?",
                    (now, now, f"attempt {attempt} lost (lease expired)", run_id),
                )

    @staticmethod
    def _due(
        conn: sqlite3.Connection,
        at: float,
        limit: int,
        jobs: Sequence[str] | None,
        excluded: Sequence[str] = (),
    ) -> list[tuple[str, float]]:
        """``(id, next_attempt_at)`` of up to ``limit`` due runs of ``jobs`` (None: any job but
        ``excluded``), oldest due first."""
        # INDEXED BY: never let the planner scan the queue through another index
        sql = (
            "SELECT id, next_attempt_at FROM runs INDEXED BY runs_due "
            "WHERE status = 'queued' AND next_attempt_at <= ?"
        )
        params: list[Any] = [at]
        if jobs is not None:
            sql += f" AND job_id IN ({_qmarks(len(jobs))})"
            params.extend(jobs)
        if excluded:
            sql += f" AND job_id NOT IN ({_qmarks(len(excluded))})"
            params.extend(excluded)
        sql += " ORDER BY next_attempt_at, id LIMIT ?"
        params.append(limit)
        return [(r[0], float(r[1])) for r in _rows(conn, sql, params)]

    async def _claim(self, claim: Claim) -> list[ClaimedRun]:
        worker_id, limit = claim.worker_id, claim.limit

        def op(conn: sqlite3.Connection) -> list[ClaimedRun]:
            at = claim.at()
            self._reap(conn, at)
            # Globally limited jobs: counted and claimed inside this one writer transaction,
            # which the writers of every process on the file take in turns (flock + BEGIN
            # IMMEDIATE), so no other claimer can count between our count and our claim.
            limited = claim.limited()
            due: list[tuple[str, float]] = []
            if limited:
                running = _drive(conn, running_counts(SQLITE, sorted(limited), at))
                for job, room in rooms(limited, running, limit).items():
                    due += self._due(conn, at, room, [job])
            jobs, excluded = claim.unlimited()
            if jobs is None or jobs:
                due += self._due(conn, at, limit, jobs, excluded)
            due.sort(key=lambda r: (r[1], r[0]))
            ids = [r[0] for r in due[:limit]]
            if not ids:
                return []
            expires = at + claim.lease_seconds
            # One statement for the runs and one for their attempts (per CHUNK of them): every
            # statement is a GIL hand-over between the writer and the event loop.
            leased: dict[str, RunRecord] = {}
            for start in range(0, len(ids), CHUNK):
                part = ids[start : start + CHUNK]
                for row in _rows(
                    conn,
                    "UPDATE runs SET status = 'running', attempt = attempt + 1, "
                    "lease_owner = ?, lease_expires_at = ?, next_attempt_at = NULL, "
                    f"updated_at = ? WHERE id IN ({_qmarks(len(part))}) RETURNING {RUN_COLUMNS}",
                    (worker_id, expires, at, *part),
                ):
                    run = run_from_row(row)
                    leased[run.id] = run
            runs = [leased[run_id] for run_id in ids]  # oldest due first
            insert_rows(
                conn,
                "INSERT INTO attempts (run_id, number, worker, started_at, status) VALUES ",
                "(?, ?, ?, ?, 'running')",
                [(r.id, r.attempt, worker_id, at) for r in runs],
            )
            request_ids = sorted({r.request_id for r in runs})
            requests = {
                row[0]: request_from_row(row)
                for row in _rows(
                    conn,
                    f"SELECT {request_columns()} FROM requests "
                    f"WHERE id IN ({_qmarks(len(request_ids))})",
                    request_ids,
                )
            }
            claimed: list[ClaimedRun] = []
            for run in runs:
                req = requests.get(run.request_id)
                if req is None:  # cannot happen unless rows were deleted by hand
                    raise StoreError(f"run {run.id}: request {run.request_id} is missing")
                claimed.append(ClaimedRun(run=run, request=req, attempt=run.attempt))
            return claimed

        return await self._write(op, "claim runs")

    async def _end_attempt(self, end: EndAttempt, doing: str) -> bool:
        """Two statements inside the writer's transaction (SQLite has no UPDATE in a CTE);
        other processes notice a run due now by their ``_PEER_POLL``."""

        def op(conn: sqlite3.Connection) -> bool:
            now = time.time()
            params = Params("qmark")
            run_set = end.run_set(SQLITE, params, now)
            changed = conn.execute(
                f"UPDATE runs SET {run_set}, lease_owner = NULL, lease_expires_at = NULL, "
                "updated_at = ? WHERE id = ? AND lease_owner = ? AND attempt = ?",
                (*params.values, now, end.run_id, end.worker_id, end.attempt),
            ).rowcount
            if not changed:
                return False
            conn.execute(
                "UPDATE attempts SET status = ?, finished_at = ?, error = ?, detail = ? "
                "WHERE run_id = ? AND number = ?",
                (end.attempt_status, now, end.error, end.detail, end.run_id, end.attempt),
            )
            return True

        finish = None
        if end.status == "succeeded":  # the common end: with the batch's other finishes
            finish = Finish(end.run_id, end.worker_id, end.attempt, end.output, end.detail)
        return await self._write(op, doing, finish)

    async def wait_for_runs(self, timeout: float) -> None:
        self._require_open()
        if self._wake.is_set():
            self._wake.clear()
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (remaining := deadline - loop.time()) > 0:
            try:
                await asyncio.wait_for(self._wake.wait(), min(remaining, _PEER_POLL))
                break
            except TimeoutError:
                if await self._runs_added_elsewhere():
                    break
        self._wake.clear()

    async def _runs_added_elsewhere(self) -> bool:
        """Whether ``runs`` grew since the last look (another process, or one of ours that
        already woke us: a spare claim at most). Errors count as "no": the caller's own
        timeout still holds."""

        def newest(conn: sqlite3.Connection) -> int:
            return int(conn.execute("SELECT coalesce(max(rowid), 0) FROM runs").fetchone()[0])

        try:
            rowid = await self._read(newest, "look for new runs")
        except StoreError as exc:
            log.debug("looking for runs of other processes failed: %s", exc)
            return False
        last, self._last_run_rowid = self._last_run_rowid, rowid
        return last is not None and rowid != last

    # -- run io ------------------------------------------------------------------------------------
    async def _append_logs(self, rows: list[tuple[Any, ...]]) -> None:
        def op(conn: sqlite3.Connection) -> None:
            conn.executemany(
                f"INSERT INTO run_logs ({LOG_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", rows
            )

        await self._write(op, "append run logs", Logs(tuple(rows)))

    # -- replay ------------------------------------------------------------------------------------
    async def _replay_request(self, request_id: str, specs: list[RunSpec]) -> bool:
        def op(conn: sqlite3.Connection) -> bool:
            found = _rows(
                conn, "SELECT endpoint_id, test FROM requests WHERE id = ?", (request_id,)
            )
            if not found:
                return False
            endpoint_id, test = found[0]
            now = time.time()
            conn.executemany(
                INSERT_RUN,
                [
                    (rid, request_id, endpoint_id, job, version, max_att, now, now, now, test)
                    for rid, job, version, max_att in specs
                ],
            )
            return True

        return await self._write(op, "replay a request")
