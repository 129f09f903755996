"""SQLite backend: one writer thread with group commit, a small pool of reader threads.

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
import json
import logging
import math
import os
import queue
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeVar
from urllib.parse import quote

from .._errors import ConfigError, StoreError, StoreUnavailable
from . import _migrations
from ._base import (
    Attempt,
    ClaimedRun,
    IngestResult,
    LogLine,
    NewRequest,
    NewRun,
    NotFound,
    Page,
    QueueStats,
    RejectedRequest,
    RequestQuery,
    RunQuery,
    RunRecord,
    Store,
    StoredRequest,
    StoreStats,
    TrimCounter,
    new_id,
)
from ._codec import (
    decode_json,
    duplicate_headers,
    encode_headers,
    encode_json,
    encode_strict_json,
)
from ._sql import (
    ATTEMPT_COLUMNS,
    LOG_COLUMNS,
    REJECTED_COLUMNS,
    RUN_COLUMNS,
    Params,
    attempt_from_row,
    log_from_row,
    merge_request_pages,
    page_of,
    rejected_from_row,
    request_columns,
    request_from_row,
    request_list_sql,
    request_tables,
    run_from_row,
    run_list_sql,
)

__all__ = ["SQLiteStore"]

log = logging.getLogger("hookpoint.store.sqlite")

T = TypeVar("T")
WriteFn = Callable[[sqlite3.Connection], Any]

# Primary result codes that mean "the store cannot do anything right now".
_UNAVAILABLE: Final[dict[int, str]] = {
    5: "the database is locked by another connection (busy timeout exceeded)",  # SQLITE_BUSY
    6: "a table is locked",  # SQLITE_LOCKED
    7: "out of memory",  # SQLITE_NOMEM
    8: "the database is read-only",  # SQLITE_READONLY
    10: "disk I/O error",  # SQLITE_IOERR
    11: "the database file is corrupt",  # SQLITE_CORRUPT
    13: "the disk is full",  # SQLITE_FULL
    14: "cannot open the database file",  # SQLITE_CANTOPEN
    15: "locking protocol error",  # SQLITE_PROTOCOL
    26: "the file is not a database",  # SQLITE_NOTADB
}

_SYNC_MODES = ("OFF", "NORMAL", "FULL", "EXTRA")
_PURGE_CHUNK = 500
_REAP_LIMIT = 1000


def _primary_code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return int(code) & 0xFF if isinstance(code, int) else None


def map_error(exc: BaseException, doing: str) -> StoreError:
    """Translate anything raised under the store into StoreError / StoreUnavailable."""
    if isinstance(exc, StoreError):
        return exc
    if isinstance(exc, sqlite3.Error):
        primary = _primary_code(exc)
        if primary in _UNAVAILABLE:
            return StoreUnavailable(f"SQLite could not {doing}: {_UNAVAILABLE[primary]} ({exc})")
        if isinstance(exc, sqlite3.ProgrammingError) and "closed" in str(exc):
            return StoreUnavailable(f"SQLite could not {doing}: the connection is closed")
        return StoreError(f"SQLite could not {doing}: {exc}")
    return StoreError(f"SQLite could not {doing}: {exc!r}")


def _breaks_transaction(exc: BaseException, conn: sqlite3.Connection) -> bool:
    return _primary_code(exc) in _UNAVAILABLE or not conn.in_transaction


def _rows(conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    # Always fetchall(): a half-read cursor would hold a read transaction open and stall
    # WAL checkpoints.
    return conn.execute(sql, params).fetchall()


def _qmarks(n: int) -> str:
    return ", ".join("?" * n)


@dataclass(slots=True)
class _Op:
    fn: WriteFn
    future: asyncio.Future[Any]
    kind: str
    """"ingest" (counted in stats.ingests) or a method name, for error messages."""
    bulk: _Bulk | None = None
    """The rows of an ingest, so that a batch of ingests is a few multi-row statements."""


@dataclass(slots=True, frozen=True)
class _Bulk:
    request_row: tuple[Any, ...]
    run_rows: tuple[tuple[Any, ...], ...]
    result: IngestResult
    """The result when the request is not a duplicate."""
    dedupe_key: tuple[str, str, str, float, float] | None = None
    """``(endpoint_id, key, request_id, created_at, expires_at)`` when it dedupes (the key,
    ``NewRequest.dedupe_on``, goes in the ``dedupe_keys.event_id`` column)."""


# Batched ingest (``_Writer._bulk``). Every statement is one ``sqlite3_step``, and each step
# releases and re-takes the GIL; a statement per row made the writer fight the event loop for
# the GIL dozens of times per commit, which across two cores cost more than the SQL itself.
_REQUEST_COLUMNS = (
    "INSERT INTO requests (id, endpoint_id, method, url, body_size, received_at, "
    "client, status, verification, event_type, event_id, event_time, duplicate_of, "
    "test, headers, body) VALUES "
)
_REQUEST_ROW = "(" + ", ".join("?" * 16) + ")"
_RUN_COLUMNS = (
    "INSERT INTO runs (id, request_id, endpoint_id, job_id, job_version, status, "
    "attempt, max_attempts, created_at, updated_at, next_attempt_at, test) VALUES "
)
_RUN_ROW = "(?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?, ?)"
_KEY_COLUMNS = (
    "INSERT INTO dedupe_keys (endpoint_id, event_id, request_id, created_at, expires_at) VALUES "
)
_KEY_ROW = "(?, ?, ?, ?, ?)"
# The upsert takes a key over only when the old one has expired; rows are applied in order,
# so a key repeated inside one batch is claimed by its first request.
_KEY_CONFLICT = (
    " ON CONFLICT (endpoint_id, event_id) DO UPDATE SET request_id = excluded.request_id, "
    "created_at = excluded.created_at, expires_at = excluded.expires_at "
    "WHERE dedupe_keys.expires_at <= excluded.created_at"
)
_CHUNK = 64  # rows per statement (so at most 64 distinct statement texts per kind are cached)
# The same statements for one request (the one-by-one path, ``SQLiteStore.ingest``).
_INSERT_REQUEST = _REQUEST_COLUMNS + _REQUEST_ROW
_INSERT_RUN = _RUN_COLUMNS + _RUN_ROW
_CLAIM_KEY = _KEY_COLUMNS + _KEY_ROW + _KEY_CONFLICT + " RETURNING request_id"


def _insert_rows(
    conn: sqlite3.Connection, head: str, row: str, rows: list[tuple[Any, ...]], tail: str = ""
) -> None:
    for start in range(0, len(rows), _CHUNK):
        part = rows[start : start + _CHUNK]
        conn.execute(head + ", ".join([row] * len(part)) + tail, [v for r in part for v in r])


def _as_duplicate(request_row: tuple[Any, ...], holder: str) -> tuple[Any, ...]:
    """A request row stored as a duplicate of ``holder``: status and duplicate_of replaced, no
    body (``body_size`` still says how big it was), headers masked and cut to size. A captured
    delivery re-sent a thousand times must not store its body a thousand times."""
    return (
        *request_row[:7],
        "duplicate",
        *request_row[8:12],
        holder,
        request_row[13],
        duplicate_headers(request_row[14]),
        b"",
    )


def _key_holders(
    conn: sqlite3.Connection, keys: list[tuple[str, str, str, float, float]]
) -> dict[tuple[str, str], str]:
    """Who holds each ``(endpoint_id, event_id)`` now, in one row per chunk of keys."""
    holders: dict[tuple[str, str], str] = {}
    for start in range(0, len(keys), _CHUNK):
        part = keys[start : start + _CHUNK]
        (text,) = conn.execute(
            "SELECT json_group_array(json_array(endpoint_id, event_id, request_id)) "
            "FROM dedupe_keys WHERE (endpoint_id, event_id) IN (VALUES "
            + ", ".join(["(?, ?)"] * len(part))
            + ")",
            [v for k in part for v in k[:2]],
        ).fetchone()
        for endpoint_id, event_id, request_id in json.loads(text):
            holders[endpoint_id, event_id] = request_id
    return holders


if sys.platform != "win32":
    import fcntl


def _set_busy_timeout(conn: sqlite3.Connection, ms: int) -> int:
    """Set the connection's busy timeout (ms); the previous one."""
    before = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
    conn.execute(f"PRAGMA busy_timeout = {int(ms)}")
    return before


class _WriterTurns:
    """The writers of one database in different processes take turns: an exclusive ``flock``
    on a lock file beside the database for the length of each write transaction.

    Only a courtesy among Hookpoint processes; SQLite's own locking still keeps the file
    consistent, and any other writer is handled by its busy timeout. A writer whose turn it is
    not retries every 0.1-1 ms (SQLite's busy handler sleeps up to 100 ms between attempts) for
    at most ``patience`` seconds (the busy timeout), then goes ahead without waiting for SQLite's
    lock as well: a process stopped or stuck while holding the turn delays the others by that
    much, never for ever, and if it is stuck inside its transaction their writes fail then
    (503) instead of after a second busy timeout.
    The kernel drops the lock when a process dies. Without a usable lock file (or on Windows)
    writers rely on SQLite's busy handler alone."""

    def __init__(self, path: str, patience: float) -> None:
        self.path = path
        self.patience = patience
        self._fd: int | None = None
        self.waits = 0
        """How often this writer found the lock taken and had to wait for its turn."""
        self.waited_out = 0
        """How often it went ahead after ``patience`` without its turn."""

    def open(self) -> None:
        if sys.platform == "win32":
            return
        try:
            # Never through a symlink, and only a file of ours that nobody else can write: in a
            # shared directory another user could otherwise pre-create it and hold the lock, so
            # every write of ours waited out its patience.
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
            info = os.fstat(fd)
            if info.st_uid != os.geteuid() or info.st_mode & 0o022:
                os.close(fd)
                raise OSError(f"owned by uid {info.st_uid} or writable by others")
            self._fd = fd
        except OSError as exc:
            log.warning(
                "cannot use the writer lock %s (%s); writers in other processes will wait "
                "through SQLite's busy handler instead",
                self.path,
                exc,
            )

    @contextlib.contextmanager
    def turn(self) -> Iterator[bool]:
        """Hold the lock for the body, if it comes within ``patience``. Yields whether the
        writer waited that long in vain (then the holder is likely stuck inside its own
        transaction, and the caller should not wait for SQLite's lock as well)."""
        fd = self._fd
        if fd is None or sys.platform == "win32":
            yield False
            return
        waited_out = False
        try:
            held = self._acquire(fd)
            waited_out = not held
        except OSError as exc:  # e.g. ENOLCK on a file system without flock
            log.warning("writer lock %s unusable (%s); not using it", self.path, exc)
            self.close()
            held = False
        try:
            yield waited_out
        finally:
            if held:
                with contextlib.suppress(OSError):
                    fcntl.flock(fd, fcntl.LOCK_UN)

    def _acquire(self, fd: int) -> bool:
        if sys.platform == "win32":  # pragma: no cover - turn() returned already
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            self.waits += 1
        deadline = time.monotonic() + self.patience
        pause = 0.0001
        while True:
            time.sleep(pause)
            pause = min(pause * 2, 0.001)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                pass
            if time.monotonic() >= deadline:
                self.waited_out += 1
                log.warning(
                    "another process has held the writer lock %s for over %.1f s; writing "
                    "without it (if it is stuck inside a transaction, this write fails at once)",
                    self.path,
                    self.patience,
                )
                return False

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)


_PEER_POLL: Final = 0.2
"""Seconds between looks for runs stored by other processes (``SQLiteStore.wait_for_runs``)."""
_STOP: Final = object()
_JOURNAL_SIZE_LIMIT: Final = 64 * 1024 * 1024
"""What a reset WAL is truncated to."""
_WAL_LIMIT: Final = 2 * _JOURNAL_SIZE_LIMIT
"""A WAL larger than this makes the writer checkpoint it itself (``_Writer._bound_wal``)."""
_WAL_CHECK_EVERY: Final = 1.0  # seconds


class _Writer(threading.Thread):
    """The one thread that owns the write connection."""

    def __init__(
        self,
        connect: Callable[[], sqlite3.Connection],
        loop: asyncio.AbstractEventLoop,
        stats: StoreStats,
        max_batch: int,
        wal_path: str | None = None,
        lock_path: str | None = None,
        lock_patience: float = 5.0,
    ) -> None:
        super().__init__(name="hookpoint-sqlite-writer", daemon=True)
        self._connect = connect
        self._wal_path = wal_path
        self.turns = _WriterTurns(lock_path, lock_patience) if lock_path is not None else None
        """Turn-taking with the writers of other processes (``None``: read-only store)."""
        self._next_wal_check = 0.0
        self.wal_catch_ups = 0
        """How often the writer had to checkpoint an oversized WAL itself."""
        self._loop = loop
        self._stats = stats
        self._max_batch = max(1, max_batch)
        self.queue: queue.SimpleQueue[list[_Op] | object] = queue.SimpleQueue()
        """Lists of ops (one list per event-loop iteration, see ``SQLiteStore._submit``) and
        finally ``_STOP``."""
        self.ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self.done: concurrent.futures.Future[None] = concurrent.futures.Future()
        self.before_commit: Callable[[], None] | None = None
        """Test hook: called right before COMMIT (raise to simulate a failing commit)."""

    def run(self) -> None:
        try:
            conn = self._connect()
        except BaseException as exc:
            self.ready.set_exception(exc)
            self.done.set_result(None)
            return
        if self.turns is not None:
            self.turns.open()
        self.ready.set_result(None)
        try:
            self._loop_forever(conn)
        finally:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
            if self.turns is not None:
                self.turns.close()
            self.done.set_result(None)

    def _loop_forever(self, conn: sqlite3.Connection) -> None:
        carry: list[_Op] = []  # what did not fit into the last batch (max_batch)
        stop = False
        while True:
            if not carry and not stop:
                first = self.queue.get()
                if isinstance(first, list):
                    carry = first
                else:
                    stop = True
            while not stop and len(carry) < self._max_batch:
                try:
                    item = self.queue.get_nowait()
                except queue.Empty:
                    break
                if isinstance(item, list):
                    carry.extend(item)
                else:
                    stop = True
            batch, carry = carry[: self._max_batch], carry[self._max_batch :]
            if batch:
                with self._turn() as waited_out:
                    busy: int | None = None
                    try:
                        if waited_out:  # the holder is stuck: do not wait for SQLite's lock too
                            busy = _set_busy_timeout(conn, 0)
                        self._execute(conn, batch)
                    except BaseException as exc:  # a bug must not leave callers waiting forever
                        log.exception("SQLite writer failed on a batch of %d", len(batch))
                        self._fail_all(conn, batch, exc, "write")
                    finally:
                        if busy is not None:
                            with contextlib.suppress(sqlite3.Error):
                                _set_busy_timeout(conn, busy)
                    self._bound_wal(conn)
            if stop and not carry:
                # Drain what raced in after the stop marker: fail it, never drop it silently.
                leftovers: list[_Op] = []
                while True:
                    try:
                        item = self.queue.get_nowait()
                    except queue.Empty:
                        break
                    if isinstance(item, list):
                        leftovers.extend(item)
                if leftovers:
                    err = StoreUnavailable("the store is closed")
                    self._deliver([(op, False, err) for op in leftovers])
                return

    def _turn(self) -> contextlib.AbstractContextManager[bool]:
        return self.turns.turn() if self.turns is not None else contextlib.nullcontext(False)

    def _bound_wal(self, conn: sqlite3.Connection) -> None:
        """Checkpoint from the writer when the WAL has outgrown its limit (checked once a
        second, between transactions).

        SQLite's automatic checkpoint copies frames into the database, but the WAL only starts over
        from its beginning when a write transaction begins while *every* frame is copied and
        no reader is inside the WAL. Under steady writes from ingest and workers plus the
        workers' reads that moment never comes: the WAL grew past 1 GB in the soak, and its
        index (mapped into the process) with it. Here the writer, which no commit can race,
        copies the rest and waits briefly for the readers; the next transaction then starts the
        WAL over and truncates it to ``journal_size_limit``. Cost: a pause of a few ms (at
        most ~50), once a second, only while the WAL is oversized."""
        if self._wal_path is None:
            return
        now = time.monotonic()
        if now < self._next_wal_check:
            return
        self._next_wal_check = now + _WAL_CHECK_EVERY
        try:
            size = os.stat(self._wal_path).st_size
        except OSError:
            return
        if size <= _WAL_LIMIT:
            return
        try:
            # RESTART also waits for the readers still inside the WAL (new ones read from the
            # database, as every frame is copied by then) — here for at most 50 ms; if one is
            # slower, the next check tries again.
            busy = _set_busy_timeout(conn, 50)
            try:
                conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchall()
            finally:
                _set_busy_timeout(conn, busy)
            self.wal_catch_ups += 1
        except sqlite3.Error as exc:  # the next check tries again
            log.debug("writer-side WAL checkpoint failed: %s", exc)

    def _bulk(self, conn: sqlite3.Connection, ops: list[_Op]) -> list[tuple[_Op, bool, Any]]:
        """Write a batch of ingests with a few multi-row statements; their outcomes.

        Must run first in the transaction: on an error the caller rolls the whole transaction
        back and sends the ops through the one-by-one path, which isolates the failing one."""
        bulks = [(op, op.bulk) for op in ops if op.bulk is not None]
        keys = [b.dedupe_key for _, b in bulks if b.dedupe_key is not None]
        holders: dict[tuple[str, str], str] = {}
        if keys:
            _insert_rows(conn, _KEY_COLUMNS, _KEY_ROW, keys, _KEY_CONFLICT)
            holders = _key_holders(conn, keys)
        request_rows: list[tuple[Any, ...]] = []
        run_rows: list[tuple[Any, ...]] = []
        outcomes: list[tuple[_Op, bool, Any]] = []
        for op, b in bulks:
            key = b.dedupe_key
            holder = None if key is None else holders.get((key[0], key[1]))
            if key is not None and holder is not None and holder != key[2]:
                request_rows.append(_as_duplicate(b.request_row, holder))
                outcomes.append((op, True, IngestResult(b.request_row[0], True, holder, ())))
            else:
                request_rows.append(b.request_row)
                run_rows.extend(b.run_rows)
                outcomes.append((op, True, b.result))
        _insert_rows(conn, _REQUEST_COLUMNS, _REQUEST_ROW, request_rows)
        if run_rows:
            _insert_rows(conn, _RUN_COLUMNS, _RUN_ROW, run_rows)
        return outcomes

    @staticmethod
    def _restart(conn: sqlite3.Connection) -> bool:
        """Roll the transaction back and begin a new one; False when that fails."""
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.execute("BEGIN IMMEDIATE")
        except Exception:
            return False
        return True

    def _execute(self, conn: sqlite3.Connection, batch: list[_Op]) -> None:
        outcomes: list[tuple[_Op, bool, Any]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
        except Exception as exc:
            self._fail_all(conn, batch, exc, "begin a transaction")
            return
        size = len(batch)
        rest = batch  # a failure that breaks the transaction still fails the whole batch
        bulk = [op for op in batch if op.bulk is not None]
        if len(bulk) > 1:
            try:
                outcomes = self._bulk(conn, bulk)
            except Exception as exc:
                log.debug("batched ingest failed (%s); writing one by one", exc)
                outcomes = []
                if not self._restart(conn):
                    self._fail_all(conn, batch, exc, "ingest")
                    return
            else:
                rest = [op for op in batch if op.bulk is None]
        single = len(rest) == 1 and not outcomes
        for op in rest:
            try:
                if not single:
                    conn.execute("SAVEPOINT item")
                result = op.fn(conn)
            except Exception as exc:
                if _breaks_transaction(exc, conn):
                    self._fail_all(conn, batch, exc, op.kind)
                    return
                try:
                    if single:
                        conn.execute("ROLLBACK")
                    else:
                        conn.execute("ROLLBACK TO item")
                        conn.execute("RELEASE item")
                except Exception as exc2:
                    self._fail_all(conn, batch, exc2, op.kind)
                    return
                if single:
                    self._deliver([(op, False, map_error(exc, op.kind))])
                    return
                outcomes.append((op, False, map_error(exc, op.kind)))
            else:
                if not single:
                    try:
                        conn.execute("RELEASE item")
                    except Exception as exc:
                        self._fail_all(conn, batch, exc, op.kind)
                        return
                outcomes.append((op, True, result))
        try:
            if self.before_commit is not None:
                self.before_commit()
            conn.execute("COMMIT")
        except Exception as exc:
            self._fail_all(conn, batch, exc, "commit")
            return
        stats = self._stats
        stats.commits += 1
        stats.largest_batch = max(stats.largest_batch, size)
        stats.ingests += sum(1 for op, ok, _ in outcomes if ok and op.kind == "ingest")
        self._deliver(outcomes)

    def _fail_all(
        self, conn: sqlite3.Connection, batch: list[_Op], exc: BaseException, doing: str
    ) -> None:
        with contextlib.suppress(sqlite3.Error):
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        self._stats.failed_commits += 1
        err = map_error(exc, doing)
        if not isinstance(err, StoreUnavailable):
            err = StoreUnavailable(f"{err} (the whole transaction was rolled back)")
        log.warning("SQLite write batch of %d failed: %s", len(batch), err)
        self._deliver([(op, False, err) for op in batch])

    def _deliver(self, outcomes: list[tuple[_Op, bool, Any]]) -> None:
        with contextlib.suppress(RuntimeError):  # loop closed: nobody is waiting any more
            self._loop.call_soon_threadsafe(_resolve, outcomes)


def _resolve(outcomes: list[tuple[_Op, bool, Any]]) -> None:
    for op, ok, value in outcomes:
        fut = op.future
        if fut.done():
            continue
        if ok:
            fut.set_result(value)
        else:
            fut.set_exception(value)


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


class SQLiteStore(Store):
    """The embedded store. See the module docstring for the threading and durability model."""

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
        rejected_max_rows: int = 10_000,
        rejected_max_age: float = 7 * 86400.0,
        rejected_trim_every: int = 100,
        wake_interval_max: float = 3600.0,
    ) -> None:
        sync = str(synchronous).upper()
        if sync not in _SYNC_MODES:
            raise ConfigError(f"synchronous must be one of {', '.join(_SYNC_MODES)}, got {sync!r}")
        if busy_timeout < 0:
            raise ConfigError("busy_timeout must be >= 0")
        if rejected_max_rows < 1 or rejected_trim_every < 1:
            raise ConfigError("rejected_max_rows and rejected_trim_every must be >= 1")
        self.path = os.fspath(path)
        self.url = url or f"sqlite:///{self.path}"
        self.synchronous = sync
        self.busy_timeout = float(busy_timeout)
        self.max_batch = max(1, int(max_batch)) if group_commit else 1
        self.readers = max(1, int(readers))
        self.auto_upgrade = auto_upgrade
        self.read_only = read_only
        self.rejected_max_rows = int(rejected_max_rows)
        self.rejected_max_age = float(rejected_max_age)
        self.rejected_trim_every = int(rejected_trim_every)
        self.wake_interval_max = wake_interval_max
        self.stats = StoreStats()
        self.pending_migrations: list[str] = []
        """Set by ``open(auto_upgrade=False)``: migrations the database still needs."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._writer: _Writer | None = None
        self._readers: _Readers | None = None
        self._closed = False
        self._wake = asyncio.Event()
        self._last_run_rowid: int | None = None
        self._timers: set[asyncio.TimerHandle] = set()
        self._trims = TrimCounter(self.rejected_trim_every)
        self._pending: list[_Op] | None = None

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
        # holds 1,000 pages), plus ``_Writer._bound_wal`` when readers starve those. A
        # checkpoint thread beside the writer was measured worse through the host: its fsync of
        # the database queued the writer's commit fsync behind it (docs/benchmarks.md).
        writer = _Writer(
            self._connect,
            loop,
            self.stats,
            self.max_batch,
            wal_path=None if self.read_only else self.path + "-wal",
            lock_path=None if self.read_only else self.path + "-lock",
            lock_patience=self.busy_timeout,
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
                await self._write(self._trim_rejected_op(time.time()), "trim rejected requests")
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()
        self._hand_over()  # what this iteration queued goes before the stop marker
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.queue.put(_STOP)
            await asyncio.wrap_future(writer.done)
            writer.join()
        readers, self._readers = self._readers, None
        if readers is not None:
            await asyncio.to_thread(readers.shutdown)
        self._wake.set()

    async def upgrade(self) -> list[str]:
        def op(conn: sqlite3.Connection) -> list[str]:
            conn.execute(_migrations.SCHEMA_MIGRATIONS_SQLITE)
            applied = {r[0] for r in _rows(conn, "SELECT version FROM schema_migrations")}
            problem = _migrations.check_not_newer(applied)
            if problem:
                raise StoreError(problem)
            done: list[str] = []
            for migration in _migrations.pending(applied):
                for statement in migration.sqlite:
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations (version, description, applied_at) "
                    "VALUES (?, ?, ?)",
                    (migration.version, migration.description, time.time()),
                )
                done.append(migration.version)
            return done

        applied = await self._write(op, "upgrade the schema")
        self.pending_migrations = []
        if applied:
            log.info("SQLite store %s: applied migrations %s", self.path, ", ".join(applied))
        return applied

    async def _check_schema(self) -> None:
        def read(conn: sqlite3.Connection) -> set[str]:
            exists = _rows(
                conn, "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_migrations'"
            )
            if not exists:
                return set()
            return {r[0] for r in _rows(conn, "SELECT version FROM schema_migrations")}

        applied = await self._read(read, "read the schema version")
        problem = _migrations.check_not_newer(applied)
        if problem:
            raise StoreError(problem)
        missing = _migrations.pending(applied)
        if missing:
            # Not fatal: `hookpoint db upgrade` opens with auto_upgrade=False, then upgrades.
            log.warning(
                "%s: the database schema needs migrations %s: run `hookpoint db upgrade`",
                self.url,
                ", ".join(m.version for m in missing),
            )
        self.pending_migrations = [m.version for m in missing]

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
    def _require_open(self) -> tuple[asyncio.AbstractEventLoop, _Writer]:
        if self._closed or self._writer is None or self._loop is None:
            raise StoreUnavailable(
                "the store is closed" if self._closed else "the store is not open"
            )
        return self._loop, self._writer

    async def _write(
        self, fn: Callable[[sqlite3.Connection], T], kind: str, bulk: _Bulk | None = None
    ) -> T:
        loop, _ = self._require_open()
        fut: asyncio.Future[T] = loop.create_future()
        self._submit(loop, _Op(fn, fut, kind, bulk))
        return await fut

    def _submit(self, loop: asyncio.AbstractEventLoop, op: _Op) -> None:
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
            _resolve([(op, False, err) for op in pending])
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

    def _notify(self) -> None:
        self._wake.set()

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

    # -- ingest ------------------------------------------------------------------------------------
    async def ingest(self, request: NewRequest) -> IngestResult:
        req = request
        headers = encode_headers(req.headers)
        body = bytes(req.body)
        run_specs = [(new_id(), r.job_id, r.job_version, int(r.max_attempts)) for r in req.runs]
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
        bulk = _Bulk(
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
                for rid, job, version, max_att in run_specs
            ),
            result=IngestResult(req.id, False, None, tuple(r[0] for r in run_specs)),
            dedupe_key=key,
        )

        def op(conn: sqlite3.Connection) -> IngestResult:
            """The same rows as a batch writes (``_Writer._bulk``), one request at a time."""
            if key is not None:
                # No row back from the upsert means a live key: a duplicate.
                claimed = _rows(conn, _CLAIM_KEY, key)
                if not claimed:
                    holder = _rows(
                        conn,
                        "SELECT request_id FROM dedupe_keys WHERE endpoint_id = ? AND event_id = ?",
                        key[:2],
                    )[0][0]
                    conn.execute(_INSERT_REQUEST, _as_duplicate(bulk.request_row, holder))
                    return IngestResult(req.id, True, holder, ())
            conn.execute(_INSERT_REQUEST, bulk.request_row)
            if bulk.run_rows:
                conn.executemany(_INSERT_RUN, bulk.run_rows)
            return bulk.result

        result = await self._write(op, "ingest", bulk)
        if result.run_ids:
            self._notify()
        if req.status == "handshake" and self._trims.due():  # capped like rejected requests
            try:
                await self._write(self._trim_rejected_op(time.time()), "trim handshakes")
            except StoreError as exc:  # the handshake is stored; trim next time
                log.warning("trimming handshakes failed (next time, then): %s", exc)
        return result

    def _trim_rejected_op(self, now: float) -> WriteFn:
        max_rows, max_age = self.rejected_max_rows, self.rejected_max_age

        def trim(conn: sqlite3.Connection) -> int:
            deleted = conn.execute(
                "DELETE FROM rejected_requests WHERE received_at < ?", (now - max_age,)
            ).rowcount
            deleted += conn.execute(
                "DELETE FROM rejected_requests WHERE id <= (SELECT id FROM rejected_requests "
                "ORDER BY id DESC LIMIT 1 OFFSET ?)",
                (max_rows,),
            ).rowcount
            # Handshakes are recorded for anyone who can reach an endpoint too: the same cap
            # (they have no runs and no dedupe keys).
            deleted += conn.execute(
                "DELETE FROM requests WHERE status = 'handshake' AND received_at < ?",
                (now - max_age,),
            ).rowcount
            deleted += conn.execute(
                "DELETE FROM requests WHERE status = 'handshake' AND id <= (SELECT id FROM "
                "requests WHERE status = 'handshake' ORDER BY id DESC LIMIT 1 OFFSET ?)",
                (max_rows,),
            ).rowcount
            return deleted

        return trim

    async def record_rejected(self, rejected: RejectedRequest) -> None:
        r = rejected
        headers = encode_headers(r.headers)
        trim = self._trim_rejected_op(time.time()) if self._trims.due() else None

        def op(conn: sqlite3.Connection) -> None:
            conn.execute(
                f"INSERT INTO rejected_requests ({REJECTED_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    r.id,
                    r.endpoint_id,
                    r.method,
                    r.url,
                    r.reason,
                    r.received_at,
                    r.client,
                    int(r.body_size),
                    headers,
                ),
            )
            if trim is not None:
                trim(conn)

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

    async def claim_runs(
        self,
        worker_id: str,
        *,
        limit: int,
        lease_seconds: float,
        job_ids: Sequence[str] | None = None,
        now: float | None = None,
    ) -> list[ClaimedRun]:
        if limit <= 0 or (job_ids is not None and not job_ids):
            return []
        jobs = list(job_ids) if job_ids is not None else None

        def op(conn: sqlite3.Connection) -> list[ClaimedRun]:
            at = time.time() if now is None else now
            self._reap(conn, at)
            # INDEXED BY: never let the planner scan the queue through another index
            sql = (
                "SELECT id FROM runs INDEXED BY runs_due "
                "WHERE status = 'queued' AND next_attempt_at <= ?"
            )
            params: list[Any] = [at]
            if jobs is not None:
                sql += f" AND job_id IN ({_qmarks(len(jobs))})"
                params.extend(jobs)
            sql += " ORDER BY next_attempt_at, id LIMIT ?"
            params.append(limit)
            ids = [r[0] for r in _rows(conn, sql, params)]
            if not ids:
                return []
            expires = at + lease_seconds
            runs: list[RunRecord] = []
            for run_id in ids:
                row = _rows(
                    conn,
                    "UPDATE runs SET status = 'running', attempt = attempt + 1, lease_owner = ?, "
                    "lease_expires_at = ?, next_attempt_at = NULL, updated_at = ? "
                    f"WHERE id = ? RETURNING {RUN_COLUMNS}",
                    (worker_id, expires, at, run_id),
                )
                runs.append(run_from_row(row[0]))
            conn.executemany(
                "INSERT INTO attempts (run_id, number, worker, started_at, status) "
                "VALUES (?, ?, ?, ?, 'running')",
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

    async def heartbeat(
        self, worker_id: str, run_ids: Sequence[str], lease_seconds: float
    ) -> set[str]:
        ids = list(dict.fromkeys(run_ids))
        if not ids:
            return set()

        def op(conn: sqlite3.Connection) -> set[str]:
            expires = time.time() + lease_seconds
            owned: set[str] = set()
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                owned.update(
                    r[0]
                    for r in _rows(
                        conn,
                        # lease_owner is set exactly while running (a CHECK says so); no
                        # status term, which could steer the planner to the runs_leases scan
                        "UPDATE runs SET lease_expires_at = ? WHERE lease_owner = ? AND "
                        f"id IN ({_qmarks(len(chunk))}) RETURNING id",
                        [expires, worker_id, *chunk],
                    )
                )
            return owned

        return await self._write(op, "heartbeat")

    @staticmethod
    def _end_attempt(
        conn: sqlite3.Connection,
        worker_id: str,
        run_id: str,
        attempt: int,
        run_set: str,
        run_params: Sequence[Any],
        attempt_status: str,
        error: str | None,
        now: float,
    ) -> bool:
        changed = conn.execute(
            f"UPDATE runs SET {run_set}, lease_owner = NULL, lease_expires_at = NULL, "
            "updated_at = ? WHERE id = ? AND lease_owner = ? "
            "AND attempt = ?",
            (*run_params, now, run_id, worker_id, attempt),
        ).rowcount
        if not changed:
            return False
        conn.execute(
            "UPDATE attempts SET status = ?, finished_at = ?, error = ? "
            "WHERE run_id = ? AND number = ?",
            (attempt_status, now, error, run_id, attempt),
        )
        return True

    async def finish_run(
        self, worker_id: str, run_id: str, attempt: int, *, output: Any = None
    ) -> bool:
        encoded = encode_json(output)

        def op(conn: sqlite3.Connection) -> bool:
            return self._end_attempt(
                conn,
                worker_id,
                run_id,
                attempt,
                "status = 'succeeded', output = ?, next_attempt_at = NULL",
                (encoded,),
                "succeeded",
                None,
                time.time(),
            )

        return await self._write(op, "finish a run")

    async def fail_attempt(
        self,
        worker_id: str,
        run_id: str,
        attempt: int,
        *,
        error: str,
        retry_at: float | None,
    ) -> bool:
        def op(conn: sqlite3.Connection) -> bool:
            if retry_at is None:
                run_set = "status = 'failed', last_error = ?, next_attempt_at = NULL"
                params: tuple[Any, ...] = (error,)
            else:
                run_set = "status = 'queued', last_error = ?, next_attempt_at = ?"
                params = (error, retry_at)
            return self._end_attempt(
                conn, worker_id, run_id, attempt, run_set, params, "failed", error, time.time()
            )

        ok = await self._write(op, "record a failed attempt")
        if ok and retry_at is not None:
            self._notify_at(retry_at)
        return ok

    async def release_run(self, worker_id: str, run_id: str, attempt: int) -> bool:
        def op(conn: sqlite3.Connection) -> bool:
            now = time.time()
            # A released attempt does not count: max_attempts grows by one, so the run still
            # gets as many real attempts as it was allowed (attempt numbers stay unique).
            return self._end_attempt(
                conn,
                worker_id,
                run_id,
                attempt,
                "status = 'queued', next_attempt_at = ?, max_attempts = max_attempts + 1",
                (now,),
                "released",
                None,
                now,
            )

        ok = await self._write(op, "release a run")
        if ok:
            self._notify()
        return ok

    async def cancel_run(self, run_id: str) -> bool:
        def op(conn: sqlite3.Connection) -> bool:
            now = time.time()
            found = _rows(conn, "SELECT status, attempt FROM runs WHERE id = ?", (run_id,))
            if not found or found[0][0] not in ("queued", "running"):
                return False
            status, attempt = found[0]
            conn.execute(
                "UPDATE runs SET status = 'cancelled', lease_owner = NULL, "
                "lease_expires_at = NULL, next_attempt_at = NULL, updated_at = ? WHERE id = ?",
                (now, run_id),
            )
            if status == "running":
                conn.execute(
                    "UPDATE attempts SET status = 'failed', finished_at = ?, error = 'cancelled' "
                    "WHERE run_id = ? AND number = ? AND status = 'running'",
                    (now, run_id, attempt),
                )
            return True

        return await self._write(op, "cancel a run")

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
    async def append_logs(self, lines: Sequence[LogLine]) -> None:
        if not lines:
            return
        rows = [
            (
                ln.run_id,
                int(ln.attempt),
                ln.at,
                ln.level,
                ln.message,
                None if ln.data is None else encode_json(ln.data),
            )
            for ln in lines
        ]

        def op(conn: sqlite3.Connection) -> None:
            conn.executemany(
                f"INSERT INTO run_logs ({LOG_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", rows
            )

        await self._write(op, "append run logs")

    async def get_task_result(self, run_id: str, key: str) -> tuple[bool, Any]:
        def read(conn: sqlite3.Connection) -> tuple[bool, Any]:
            found = _rows(
                conn, "SELECT value FROM task_results WHERE run_id = ? AND key = ?", (run_id, key)
            )
            if not found:
                return False, None
            return True, decode_json(found[0][0])

        return await self._read(read, "read a task result")

    async def save_task_result(self, run_id: str, key: str, value: Any) -> None:
        encoded = encode_strict_json(value, f"the result of task {key!r}")

        def op(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO task_results (run_id, key, value, saved_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value, "
                "saved_at = excluded.saved_at",
                (run_id, key, encoded, time.time()),
            )

        await self._write(op, "save a task result")

    # -- dashboard sessions ------------------------------------------------------------------------
    async def create_session(self, key: str, *, expires_at: float) -> None:
        def op(conn: sqlite3.Connection) -> None:
            now = time.time()
            conn.execute("DELETE FROM dashboard_sessions WHERE expires_at <= ?", (now,))
            conn.execute(
                "INSERT INTO dashboard_sessions (key, created_at, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at",
                (key, now, expires_at),
            )

        await self._write(op, "record a dashboard session")

    async def session_active(self, key: str, now: float) -> bool:
        def read(conn: sqlite3.Connection) -> bool:
            return bool(
                _rows(
                    conn,
                    "SELECT 1 FROM dashboard_sessions WHERE key = ? AND expires_at > ?",
                    (key, now),
                )
            )

        return await self._read(read, "check a dashboard session")

    async def revoke_session(self, key: str) -> None:
        def op(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM dashboard_sessions WHERE key = ?", (key,))

        await self._write(op, "end a dashboard session")

    # -- replay ------------------------------------------------------------------------------------
    async def replay_run(self, run_id: str) -> str:
        new_run_id = new_id()

        def op(conn: sqlite3.Connection) -> str:
            now = time.time()
            inserted = conn.execute(
                "INSERT INTO runs (id, request_id, endpoint_id, job_id, job_version, status, "
                "attempt, max_attempts, created_at, updated_at, next_attempt_at, replay_of, test) "
                "SELECT ?, request_id, endpoint_id, job_id, job_version, 'queued', 0, "
                "max_attempts, ?, ?, ?, id, test FROM runs WHERE id = ?",
                (new_run_id, now, now, now, run_id),
            ).rowcount
            if not inserted:
                raise NotFound(f"run {run_id} not found")
            return new_run_id

        result = await self._write(op, "replay a run")
        self._notify()
        return result

    async def replay_request(self, request_id: str, runs: Sequence[NewRun]) -> tuple[str, ...]:
        specs = [(new_id(), r.job_id, r.job_version, int(r.max_attempts)) for r in runs]

        def op(conn: sqlite3.Connection) -> tuple[str, ...]:
            found = _rows(
                conn, "SELECT endpoint_id, test FROM requests WHERE id = ?", (request_id,)
            )
            if not found:
                raise NotFound(f"request {request_id} not found")
            endpoint_id, test = found[0]
            now = time.time()
            conn.executemany(
                "INSERT INTO runs (id, request_id, endpoint_id, job_id, job_version, status, "
                "attempt, max_attempts, created_at, updated_at, next_attempt_at, test) "
                "VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?, ?)",
                [
                    (rid, request_id, endpoint_id, job, version, max_att, now, now, now, test)
                    for rid, job, version, max_att in specs
                ],
            )
            return tuple(s[0] for s in specs)

        result = await self._write(op, "replay a request")
        if result:
            self._notify()
        return result

    # -- queries -----------------------------------------------------------------------------------
    async def get_request(self, request_id: str) -> StoredRequest | None:
        def read(conn: sqlite3.Connection) -> StoredRequest | None:
            found = _rows(
                conn, f"SELECT {request_columns()} FROM requests WHERE id = ?", (request_id,)
            )
            if found:
                return request_from_row(found[0])
            found = _rows(
                conn,
                f"SELECT {REJECTED_COLUMNS} FROM rejected_requests WHERE id = ?",
                (request_id,),
            )
            return rejected_from_row(found[0]) if found else None

        return await self._read(read, "read a request")

    async def list_requests(self, query: RequestQuery) -> Page:
        want_accepted, want_rejected = request_tables(query)

        def read(conn: sqlite3.Connection) -> Page:
            accepted: list[StoredRequest] = []
            rejected: list[StoredRequest] = []
            limit = max(1, min(int(query.limit), 1000))
            if want_accepted:
                params = Params("qmark")
                sql, limit = request_list_sql(query, params, rejected=False)
                accepted = [request_from_row(r) for r in _rows(conn, sql, params.values)]
            if want_rejected:
                params = Params("qmark")
                sql, limit = request_list_sql(query, params, rejected=True)
                rejected = [rejected_from_row(r) for r in _rows(conn, sql, params.values)]
            return merge_request_pages(limit, accepted, rejected)

        return await self._read(read, "list requests")

    async def get_run(self, run_id: str) -> RunRecord | None:
        def read(conn: sqlite3.Connection) -> RunRecord | None:
            found = _rows(conn, f"SELECT {RUN_COLUMNS} FROM runs WHERE id = ?", (run_id,))
            return run_from_row(found[0]) if found else None

        return await self._read(read, "read a run")

    async def list_runs(self, query: RunQuery) -> Page:
        def read(conn: sqlite3.Connection) -> Page:
            params = Params("qmark")
            sql, limit = run_list_sql(query, params)
            return page_of([run_from_row(r) for r in _rows(conn, sql, params.values)], limit)

        return await self._read(read, "list runs")

    async def list_attempts(self, run_id: str) -> list[Attempt]:
        def read(conn: sqlite3.Connection) -> list[Attempt]:
            return [
                attempt_from_row(r)
                for r in _rows(
                    conn,
                    f"SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE run_id = ? ORDER BY number",
                    (run_id,),
                )
            ]

        return await self._read(read, "list attempts")

    async def list_logs(self, run_id: str) -> list[LogLine]:
        def read(conn: sqlite3.Connection) -> list[LogLine]:
            return [
                log_from_row(r)
                for r in _rows(
                    conn,
                    f"SELECT {LOG_COLUMNS} FROM run_logs WHERE run_id = ? ORDER BY id",
                    (run_id,),
                )
            ]

        return await self._read(read, "list run logs")

    async def queue_stats(self) -> QueueStats:
        def read(conn: sqlite3.Connection) -> QueueStats:
            now = time.time()
            conn.execute("BEGIN")
            try:
                queued = _rows(
                    conn, "SELECT count(*) FROM runs INDEXED BY runs_due WHERE status = 'queued'"
                )[0][0]
                running = _rows(
                    conn,
                    "SELECT count(*) FROM runs INDEXED BY runs_leases WHERE status = 'running'",
                )[0][0]
                oldest = _rows(
                    conn,
                    "SELECT min(next_attempt_at) FROM runs INDEXED BY runs_due "
                    "WHERE status = 'queued' AND next_attempt_at <= ?",
                    (now,),
                )[0][0]
                # Each status from its own index: a GROUP BY over the whole table sorted every
                # run in memory on every /metrics scrape, and the heap of the reader threads
                # grew with the table (the soak's memory creep under a run backlog).
                by_status: dict[str, int] = {
                    status: count
                    for status, count in (("queued", queued), ("running", running))
                    if count
                }
                by_status.update(
                    _rows(
                        conn,
                        "SELECT status, count(*) FROM runs INDEXED BY runs_final "
                        "WHERE status IN ('succeeded', 'failed', 'cancelled') GROUP BY status",
                    )
                )
            finally:
                conn.execute("COMMIT")
            return QueueStats(
                queued=int(queued),
                running=int(running),
                oldest_queued_age=max(0.0, now - float(oldest)) if oldest is not None else 0.0,
                by_status={str(k): int(v) for k, v in by_status.items()},
            )

        return await self._read(read, "read queue stats")

    # -- retention ---------------------------------------------------------------------------------
    async def purge(self, *, older_than: float) -> int:
        total = 0
        cursor = -math.inf
        while True:
            start = cursor

            def chunk(conn: sqlite3.Connection, start: float = start) -> tuple[int, int, float]:
                candidates = _rows(
                    conn,
                    "SELECT id, received_at FROM requests WHERE received_at < ? "
                    "AND received_at >= ? ORDER BY received_at LIMIT ?",
                    (older_than, start, _PURGE_CHUNK),
                )
                if not candidates:
                    return 0, 0, start
                last = float(candidates[-1][1])
                ids = [c[0] for c in candidates]
                marks = _qmarks(len(ids))
                busy = {
                    r[0]
                    for r in _rows(
                        conn,
                        f"SELECT DISTINCT request_id FROM runs WHERE request_id IN ({marks}) "
                        "AND status IN ('queued', 'running')",
                        ids,
                    )
                }
                doomed = [i for i in ids if i not in busy]
                deleted = 0
                if doomed:
                    marks = _qmarks(len(doomed))
                    run_ids = [
                        r[0]
                        for r in _rows(
                            conn, f"SELECT id FROM runs WHERE request_id IN ({marks})", doomed
                        )
                    ]
                    for start_i in range(0, len(run_ids), 500):
                        part = run_ids[start_i : start_i + 500]
                        rmarks = _qmarks(len(part))
                        for table in ("attempts", "run_logs", "task_results"):
                            deleted += conn.execute(
                                f"DELETE FROM {table} WHERE run_id IN ({rmarks})", part
                            ).rowcount
                        deleted += conn.execute(
                            f"DELETE FROM runs WHERE id IN ({rmarks})", part
                        ).rowcount
                    deleted += conn.execute(
                        f"DELETE FROM requests WHERE id IN ({marks})", doomed
                    ).rowcount
                if len(candidates) < _PURGE_CHUNK:
                    return deleted, len(candidates), math.inf
                if last <= start:  # a full chunk of one timestamp held by active runs
                    last = math.nextafter(last, math.inf)
                return deleted, len(candidates), last

            deleted, seen, cursor = await self._write(chunk, "purge old requests")
            total += deleted
            if seen < _PURGE_CHUNK or cursor == math.inf:
                break

        def tail(conn: sqlite3.Connection) -> int:
            now = time.time()
            n = conn.execute("DELETE FROM dedupe_keys WHERE expires_at <= ?", (now,)).rowcount
            n += conn.execute(
                "DELETE FROM rejected_requests WHERE received_at < ?", (older_than,)
            ).rowcount
            n += int(self._trim_rejected_op(now)(conn))
            return int(n)

        total += await self._write(tail, "purge expired keys and rejected requests")
        return total
