"""The SQLite store's writer: one thread, the only write connection, group commit.

The event loop hands the writer what one loop iteration produced as one list
(``SQLiteStore._submit``); the writer takes whatever is queued (up to ``max_batch``) and runs it
as one transaction: ``BEGIN IMMEDIATE``, the batch's ingests, workers' log lines and succeeded
attempts as a few multi-row statements (dedupe keys, requests, runs; log lines; the finished
runs and their attempts), each other item inside its own ``SAVEPOINT``, ``COMMIT``. Every
statement is one ``sqlite3_step``, which gives up and re-takes the GIL: a statement per row made
the writer fight the event loop for the GIL dozens of times per commit, which across two cores
cost more than the SQL itself (docs/benchmarks.md). Callers' futures resolve only after
``COMMIT`` returned; what breaks the transaction fails the whole batch with
:class:`~hookpoint.StoreUnavailable` (see ``_sqlite``'s docstring).

Writers of one database in different processes take turns through :class:`WriterTurns`; the
writer also keeps the WAL bounded (``Writer._bound_wal``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import logging
import os
import queue
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Final

from .._errors import StoreError, StoreUnavailable
from ._base import IngestResult, StoreStats
from ._codec import duplicate_headers
from ._sql import LOG_COLUMNS, NEW_RUN_COLUMNS, REQUEST_COLUMNS

__all__ = [
    "CHUNK",
    "CLAIM_KEY",
    "INSERT_REQUEST",
    "INSERT_RUN",
    "NEXT_SEQ",
    "STOP",
    "Bulk",
    "Finish",
    "Logs",
    "Op",
    "WriteFn",
    "Writer",
    "WriterTurns",
    "as_duplicate",
    "insert_rows",
    "map_error",
    "resolve",
    "rows_sql",
]

log = logging.getLogger("hookpoint.store.sqlite")

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


@dataclass(slots=True)
class Op:
    fn: WriteFn
    future: asyncio.Future[Any]
    kind: str
    """"ingest" (counted in stats.ingests) or a method name, for error messages."""
    bulk: Bulk | Logs | Finish | None = None
    """The rows of an ingest, of a worker's log lines or of a succeeded attempt, so that what a
    batch holds of each is a few multi-row statements (``Writer._bulk``); ``fn`` writes the same
    alone."""


@dataclass(slots=True, frozen=True)
class Bulk:
    request_row: tuple[Any, ...]
    run_rows: tuple[tuple[Any, ...], ...]
    result: IngestResult
    """The result when the request is not a duplicate."""
    dedupe_key: tuple[str, str, str, float, float] | None = None
    """``(endpoint_id, key, request_id, created_at, expires_at)`` when it dedupes (the key,
    ``NewRequest.dedupe_on``, goes in the ``dedupe_keys.event_id`` column)."""


@dataclass(slots=True, frozen=True)
class Logs:
    """A worker's run log lines (``run_logs`` rows, ``LOG_COLUMNS``, in order)."""

    rows: tuple[tuple[Any, ...], ...]


@dataclass(slots=True, frozen=True)
class Finish:
    """A succeeded attempt (``finish_run``): it takes effect only while ``worker_id`` still holds
    ``attempt`` of the run; its result says whether it did."""

    run_id: str
    worker_id: str
    attempt: int
    output: str | None
    """Encoded JSON."""
    detail: str | None
    """The attempt's encoded JSON detail."""


# Batched ingest (``Writer._bulk``). Every statement is one ``sqlite3_step``, and each step
# releases and re-takes the GIL; a statement per row made the writer fight the event loop for
# the GIL dozens of times per commit, which across two cores cost more than the SQL itself.
# Every request row also gets the writer transaction's number (``seq``, see _migrations 0007),
# taken by NEXT_SEQ before the first of them; the subquery runs once per statement.
_REQUEST_COLUMNS = f"INSERT INTO requests ({REQUEST_COLUMNS}, seq) VALUES "
_REQUEST_ROW = "(" + ", ".join("?" * 16) + ", (SELECT value FROM request_seq))"
NEXT_SEQ: Final = "UPDATE request_seq SET value = value + 1"
_RUN_COLUMNS = f"INSERT INTO runs ({NEW_RUN_COLUMNS}) VALUES "
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
CHUNK: Final = 64
"""Rows per multi-row statement (so at most 64 distinct statement texts per kind are cached)."""
# A batch's log lines and succeeded attempts (``Writer._bulk``): the log rows as one multi-row
# INSERT, the finishes as one UPDATE of the runs still held (by primary key, one probe per row:
# ``tests/store/test_sqlite_plans.py``) and one of their attempts. A worker's writes were a
# SAVEPOINT, two statements and a RELEASE per finish, each statement a GIL hand-over between the
# writer and the event loop (docs/benchmarks.md, "Runs").
_LOG_COLUMNS = f"INSERT INTO run_logs ({LOG_COLUMNS}) VALUES "
_LOG_ROW = "(?, ?, ?, ?, ?, ?)"
_FINISH_RUNS_HEAD: Final = (
    "UPDATE runs SET status = 'succeeded', output = u.column4, next_attempt_at = NULL, "
    "lease_owner = NULL, lease_expires_at = NULL, updated_at = ? FROM (VALUES "
)
_FINISH_RUNS_ROW: Final = "(?, ?, ?, ?)"
_FINISH_RUNS_TAIL: Final = (
    ") AS u WHERE runs.id = u.column1 AND runs.lease_owner = u.column2 "
    "AND runs.attempt = u.column3 RETURNING runs.id, runs.attempt"
)
_FINISH_ATTEMPTS_HEAD: Final = (
    "UPDATE attempts SET status = 'succeeded', finished_at = ?, error = NULL, "
    "detail = u.column3 FROM (VALUES "
)
_FINISH_ATTEMPTS_ROW: Final = "(?, ?, ?)"
_FINISH_ATTEMPTS_TAIL: Final = (
    ") AS u WHERE attempts.run_id = u.column1 AND attempts.number = u.column2"
)

# The same statements for one request (the one-by-one path, ``SQLiteStore.ingest``).
INSERT_REQUEST = _REQUEST_COLUMNS + _REQUEST_ROW
INSERT_RUN = _RUN_COLUMNS + _RUN_ROW
CLAIM_KEY = _KEY_COLUMNS + _KEY_ROW + _KEY_CONFLICT + " RETURNING request_id"


def rows_sql(head: str, row: str, n: int, tail: str = "") -> str:
    """``head``, ``row`` (a ``VALUES`` tuple of placeholders) ``n`` times, ``tail``."""
    return head + ", ".join([row] * n) + tail


def insert_rows(
    conn: sqlite3.Connection, head: str, row: str, rows: list[tuple[Any, ...]], tail: str = ""
) -> None:
    """``rows`` as multi-row statements of at most ``CHUNK`` rows each."""
    for start in range(0, len(rows), CHUNK):
        part = rows[start : start + CHUNK]
        conn.execute(rows_sql(head, row, len(part), tail), [v for r in part for v in r])


def _finish(conn: sqlite3.Connection, finishes: list[Finish], now: float) -> set[tuple[str, int]]:
    """Write ``finishes`` (one per run); the ``(run id, attempt)`` of those that took effect."""
    done: set[tuple[str, int]] = set()
    for start in range(0, len(finishes), CHUNK):
        part = finishes[start : start + CHUNK]
        rows = conn.execute(
            rows_sql(_FINISH_RUNS_HEAD, _FINISH_RUNS_ROW, len(part), _FINISH_RUNS_TAIL),
            [now, *(v for f in part for v in (f.run_id, f.worker_id, f.attempt, f.output))],
        ).fetchall()
        held = {(str(r[0]), int(r[1])) for r in rows}
        took = [f for f in part if (f.run_id, f.attempt) in held]
        if took:
            conn.execute(
                rows_sql(
                    _FINISH_ATTEMPTS_HEAD, _FINISH_ATTEMPTS_ROW, len(took), _FINISH_ATTEMPTS_TAIL
                ),
                [now, *(v for f in took for v in (f.run_id, f.attempt, f.detail))],
            )
        done |= held
    return done


def as_duplicate(request_row: tuple[Any, ...], holder: str) -> tuple[Any, ...]:
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


# The keys are looked up through the primary key, one probe each. (A row-value ``IN (VALUES
# ...)`` here made SQLite scan the whole table for every batch: the cost of a batch grew with
# every key inside the dedupe window. tests/store/test_sqlite_plans.py pins the plan.)
_HOLDERS_HEAD: Final = (
    "SELECT json_group_array(json_array(k.endpoint_id, k.event_id, k.request_id)) FROM (VALUES "
)
_HOLDERS_TAIL: Final = (
    ") AS v CROSS JOIN dedupe_keys AS k ON k.endpoint_id = v.column1 AND k.event_id = v.column2"
)


def _key_holders(
    conn: sqlite3.Connection, keys: list[tuple[str, str, str, float, float]]
) -> dict[tuple[str, str], str]:
    """Who holds each ``(endpoint_id, event_id)`` now, in one row per chunk of keys."""
    holders: dict[tuple[str, str], str] = {}
    for start in range(0, len(keys), CHUNK):
        part = keys[start : start + CHUNK]
        (text,) = conn.execute(
            rows_sql(_HOLDERS_HEAD, "(?, ?)", len(part), _HOLDERS_TAIL),
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


class WriterTurns:
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


STOP: Final = object()


class Writer(threading.Thread):
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
        wal_limit: int = 128 * 1024 * 1024,
        wal_check_every: float = 1.0,
    ) -> None:
        super().__init__(name="hookpoint-sqlite-writer", daemon=True)
        self._connect = connect
        self._wal_path = wal_path
        self._wal_limit = wal_limit
        """A WAL larger than this makes the writer checkpoint it itself (``_bound_wal``)."""
        self._wal_check_every = wal_check_every
        self.turns = WriterTurns(lock_path, lock_patience) if lock_path is not None else None
        """Turn-taking with the writers of other processes (``None``: read-only store)."""
        self._next_wal_check = 0.0
        self.wal_catch_ups = 0
        """How often the writer had to checkpoint an oversized WAL itself."""
        self._loop = loop
        self._stats = stats
        self._max_batch = max(1, max_batch)
        self.queue: queue.SimpleQueue[list[Op] | object] = queue.SimpleQueue()
        """Lists of ops (one list per event-loop iteration, see ``SQLiteStore._submit``) and
        finally ``STOP``."""
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
        carry: list[Op] = []  # what did not fit into the last batch (max_batch)
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
                leftovers: list[Op] = []
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
        self._next_wal_check = now + self._wal_check_every
        try:
            size = os.stat(self._wal_path).st_size
        except OSError:
            return
        if size <= self._wal_limit:
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

    def _bulk(
        self, conn: sqlite3.Connection, ops: list[Op]
    ) -> tuple[list[tuple[Op, bool, Any]], list[Op]]:
        """Write a batch's ingests, log lines and succeeded attempts with a few multi-row
        statements; their outcomes, and the ops left for the one-by-one path (a second finish
        of a run in the same batch, which must see the first one's effect).

        Must run first in the transaction: on an error the caller rolls the whole transaction
        back and sends the ops through the one-by-one path, which isolates the failing one."""
        outcomes: list[tuple[Op, bool, Any]] = []
        left: list[Op] = []
        ingests: list[tuple[Op, Bulk]] = []
        log_ops: list[tuple[Op, Logs]] = []
        finishes: dict[str, tuple[Op, Finish]] = {}
        for op in ops:
            b = op.bulk
            if isinstance(b, Bulk):
                ingests.append((op, b))
            elif isinstance(b, Logs):
                log_ops.append((op, b))
            elif isinstance(b, Finish) and b.run_id not in finishes:
                finishes[b.run_id] = (op, b)
            else:
                left.append(op)
        if ingests:
            outcomes += self._ingests(conn, ingests)
        if log_ops:
            insert_rows(conn, _LOG_COLUMNS, _LOG_ROW, [r for _, b in log_ops for r in b.rows])
            outcomes += [(op, True, None) for op, _ in log_ops]
        if finishes:
            held = _finish(conn, [f for _, f in finishes.values()], time.time())
            outcomes += [(op, True, (f.run_id, f.attempt) in held) for op, f in finishes.values()]
        return outcomes, left

    def _ingests(
        self, conn: sqlite3.Connection, bulks: list[tuple[Op, Bulk]]
    ) -> list[tuple[Op, bool, Any]]:
        keys = [b.dedupe_key for _, b in bulks if b.dedupe_key is not None]
        holders: dict[tuple[str, str], str] = {}
        if keys:
            insert_rows(conn, _KEY_COLUMNS, _KEY_ROW, keys, _KEY_CONFLICT)
            holders = _key_holders(conn, keys)
        request_rows: list[tuple[Any, ...]] = []
        run_rows: list[tuple[Any, ...]] = []
        outcomes: list[tuple[Op, bool, Any]] = []
        for op, b in bulks:
            key = b.dedupe_key
            holder = None if key is None else holders.get((key[0], key[1]))
            if key is not None and holder is not None and holder != key[2]:
                request_rows.append(as_duplicate(b.request_row, holder))
                outcomes.append((op, True, IngestResult(b.request_row[0], True, holder, ())))
            else:
                request_rows.append(b.request_row)
                run_rows.extend(b.run_rows)
                outcomes.append((op, True, b.result))
        conn.execute(NEXT_SEQ)
        insert_rows(conn, _REQUEST_COLUMNS, _REQUEST_ROW, request_rows)
        if run_rows:
            insert_rows(conn, _RUN_COLUMNS, _RUN_ROW, run_rows)
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

    def _execute(self, conn: sqlite3.Connection, batch: list[Op]) -> None:
        outcomes: list[tuple[Op, bool, Any]] = []
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
                outcomes, left = self._bulk(conn, bulk)
            except Exception as exc:
                log.debug("batched writes failed (%s); writing one by one", exc)
                outcomes = []
                if not self._restart(conn):
                    self._fail_all(conn, batch, exc, bulk[0].kind)
                    return
            else:
                rest = [op for op in batch if op.bulk is None] + left
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
        self, conn: sqlite3.Connection, batch: list[Op], exc: BaseException, doing: str
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

    def _deliver(self, outcomes: list[tuple[Op, bool, Any]]) -> None:
        with contextlib.suppress(RuntimeError):  # loop closed: nobody is waiting any more
            self._loop.call_soon_threadsafe(resolve, outcomes)


def resolve(outcomes: list[tuple[Op, bool, Any]]) -> None:
    for op, ok, value in outcomes:
        fut = op.future
        if fut.done():
            continue
        if ok:
            fut.set_result(value)
        else:
            fut.set_exception(value)
