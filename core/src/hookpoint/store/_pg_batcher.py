"""The PostgreSQL store's group commit: one writer task, one statement per batch.

Ingests, rejected-request records and a worker's run log lines and succeeded attempts queue
here; the task takes everything that queued while the previous batch was committing and writes
it as ONE statement — ``INSERT … SELECT * FROM unnest($1::text[], …)`` for requests, runs,
rejected rows and log lines, ``UPDATE … FROM unnest(…)`` for the finishes, plus ``pg_notify`` —
on its own connection. A single statement is its own transaction (no BEGIN/COMMIT round
trips); a batch that needs dedupe runs two statements inside one transaction. Callers are
released only after the commit. If the batch fails on an item's own data (a key clash, a
CHECK), each item is retried alone so only the guilty caller fails; if the connection fails,
every caller gets :class:`~hookpoint.StoreUnavailable`.

The writer's connection plans these statements once (``WRITER_SETTINGS``): PostgreSQL would
otherwise plan them anew on every execution, because a plan made for the arrays' actual lengths
always looks cheaper than one made for any length, and planning the batch statement costs more
than running it (measured: 1.0 vs 0.58 ms for an ingest batch, 0.37 vs 0.20 ms for a lone
finish, docs/benchmarks.md "Runs"). The statements whose best plan depends on the values (the
dedupe lookup, the trims) run in a transaction that plans them per call again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeAlias

import asyncpg

from .._errors import StoreUnavailable
from ._base import IngestResult, NewRequest, StoreStats, TrimCounter
from ._codec import duplicate_headers
from ._pg_common import (
    CHANNEL,
    PAYLOAD,
    Conn,
    Record,
    close_connection,
    is_connection_error,
    is_retryable,
    map_error,
)
from ._sql import LOG_COLUMNS, REJECTED_COLUMNS

__all__ = ["INGEST_SQL", "WRITER_SETTINGS", "Batcher", "Finish", "Ingest", "Logs", "Rejected"]

log = logging.getLogger("hookpoint.store.postgres")


WRITER_SETTINGS: Final = {"plan_cache_mode": "force_generic_plan"}
"""Server settings of the writer's connection: every prepared statement keeps one plan (the
batch statements are ``unnest`` of parameter arrays and index lookups by key, whatever the
arrays' lengths)."""

_PLAN_PER_CALL: Final = "BEGIN; SET LOCAL plan_cache_mode = auto"
"""Opens a transaction whose statements are planned for their values, as on any other
connection (a cut-off time, or a join whose best plan depends on how many keys it is given)."""


def _worker_ctes(first: int, now: int) -> str:
    """The ``lg`` (run log lines, in order) and ``fin``/``fin_attempt`` (succeeded attempts, only
    where the worker still holds the attempt) parts of a batch statement: their eleven arrays
    are parameters ``$first`` … ``$first+10``, the time is ``$now``."""
    p = [f"${first + k}" for k in range(11)]
    return f"""lg AS (
    INSERT INTO run_logs ({LOG_COLUMNS})
    SELECT u.run_id, u.attempt, u.at, u.level, u.message, u.data
    FROM unnest({p[0]}::text[], {p[1]}::int4[], {p[2]}::float8[], {p[3]}::text[],
                {p[4]}::text[], {p[5]}::json[])
         WITH ORDINALITY AS u(run_id, attempt, at, level, message, data, n)
    ORDER BY u.n
), fin AS (
    UPDATE runs r SET status = 'succeeded', output = u.output, next_attempt_at = NULL,
        lease_owner = NULL, lease_expires_at = NULL, updated_at = ${now}
    FROM unnest({p[6]}::text[], {p[7]}::text[], {p[8]}::int4[], {p[9]}::json[])
         AS u(run_id, worker, attempt, output)
    WHERE r.id = u.run_id AND r.lease_owner = u.worker AND r.attempt = u.attempt
    RETURNING r.id, r.attempt
), fin_attempt AS (
    UPDATE attempts a SET status = 'succeeded', finished_at = ${now}, error = NULL,
        detail = u.detail
    FROM fin JOIN unnest({p[6]}::text[], {p[10]}::json[]) AS u(run_id, detail)
         ON u.run_id = fin.id
    WHERE a.run_id = fin.id AND a.number = fin.attempt
)"""


# -- the batched ingest statement -------------------------------------------------------------
INGEST_SQL: Final = f"""
WITH req AS (
    INSERT INTO requests (id, endpoint_id, method, url, body_size, received_at, client, status,
                          verification, event_type, event_id, event_time, duplicate_of, headers,
                          body, test)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[],
                         $6::float8[], $7::text[], $8::text[], $9::text[], $10::text[],
                         $11::text[], $12::float8[], $13::text[], $14::json[], $15::bytea[],
                         $33::boolean[])
), rej AS (
    INSERT INTO rejected_requests ({REJECTED_COLUMNS})
    SELECT * FROM unnest($16::text[], $17::text[], $18::text[], $19::text[], $20::text[],
                         $21::float8[], $22::text[], $23::int8[], $24::json[])
), run AS (
    INSERT INTO runs (id, request_id, endpoint_id, job_id, job_version, status, attempt,
                      max_attempts, created_at, updated_at, next_attempt_at, test)
    SELECT u.id, u.request_id, u.endpoint_id, u.job_id, u.job_version, 'queued', 0,
           u.max_attempts, $31, $31, $31, u.test
    FROM unnest($25::text[], $26::text[], $27::text[], $28::text[], $29::text[], $30::int4[],
                $34::boolean[])
         AS u(id, request_id, endpoint_id, job_id, job_version, max_attempts, test)
), {_worker_ctes(35, 31)}
SELECT (SELECT pg_notify('{CHANNEL}', {PAYLOAD}) WHERE $32::boolean),
       ARRAY(SELECT id FROM fin)
"""
"""Everything a batch writes, as one statement. Its row: the NOTIFY's (unused) and the ids of
the runs whose finish took effect (those still leased to the worker that finished them)."""

RUNS_SQL: Final = f"""
WITH {_worker_ctes(1, 12)}
SELECT NULL, ARRAY(SELECT id FROM fin)
"""
"""What a batch of only log lines and finishes writes (a worker's batches): the same as
``INGEST_SQL`` without its ingest parts, which PostgreSQL would execute on empty arrays."""

_DEDUPE_UPSERT_SQL: Final = """
INSERT INTO dedupe_keys (endpoint_id, event_id, request_id, created_at, expires_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[])
ON CONFLICT (endpoint_id, event_id) DO UPDATE
    SET request_id = excluded.request_id, created_at = excluded.created_at,
        expires_at = excluded.expires_at
    WHERE dedupe_keys.expires_at <= excluded.created_at
RETURNING endpoint_id, event_id
"""

_DEDUPE_LOOKUP_SQL: Final = """
SELECT k.endpoint_id, k.event_id, k.request_id, k.expires_at
FROM dedupe_keys k JOIN unnest($1::text[], $2::text[]) AS u(endpoint_id, event_id)
  ON k.endpoint_id = u.endpoint_id AND k.event_id = u.event_id
"""


@dataclass(slots=True)
class Ingest:
    req: NewRequest
    headers: str
    body: bytes
    run_ids: tuple[str, ...]
    future: asyncio.Future[Any]
    duplicate_of: str | None = None
    """Decided by the writer (dedupe)."""
    trim: bool = False
    """A handshake that is due to trim the unauthenticated metadata after its commit."""


@dataclass(slots=True)
class Rejected:
    row: tuple[Any, ...]
    trim: bool
    future: asyncio.Future[Any]


@dataclass(slots=True)
class Logs:
    """Run log lines (``run_logs`` rows, ``LOG_COLUMNS``, in order): a worker's log writes ride
    along with the batch instead of taking a pooled connection and a round trip of their own
    each (docs/benchmarks.md, "Runs")."""

    rows: list[tuple[Any, ...]]
    future: asyncio.Future[Any]


@dataclass(slots=True)
class Finish:
    """A succeeded attempt (``finish_run``), written with the batch: the run's outcome does not
    take a pooled connection and a round trip of its own (docs/benchmarks.md, "Runs")."""

    run_id: str
    worker_id: str
    attempt: int
    output: str
    """Encoded JSON."""
    detail: str | None
    future: asyncio.Future[Any]
    took_effect: bool = False
    """Set by the writer: the worker still held the attempt (``finish_run``'s result)."""


_Item: TypeAlias = "Ingest | Rejected | Logs | Finish"
_STOP: Final = object()


class Batcher:
    """The writer task and its connection (see the module docstring)."""

    def __init__(
        self,
        *,
        connect: Callable[[], Awaitable[asyncpg.Connection[Record]]],
        stats: StoreStats,
        max_batch: int,
        wake: asyncio.Event,
        connection_lost: Callable[[], Awaitable[None]],
        trims: TrimCounter,
        trim: Callable[[Conn], Awaitable[int]],
    ) -> None:
        self._connect = connect
        self._stats = stats
        self._max_batch = max_batch
        self._wake = wake
        self._connection_lost = connection_lost
        self._trims = trims
        self._trim = trim
        """Trims the unauthenticated records (rejected requests, handshakes) on a connection."""
        self._queue: asyncio.Queue[_Item | object] = asyncio.Queue()
        self._conn: asyncpg.Connection[Record] | None = None
        self._task = asyncio.create_task(self._writer_loop(), name="hookpoint-pg-writer")

    async def submit(self, item: _Item) -> Any:
        """Queue ``item``; its result once the batch that holds it committed."""
        self._queue.put_nowait(item)
        return await item.future

    async def stop(self) -> None:
        """Commit what is queued, fail what comes after, close the connection."""
        self._queue.put_nowait(_STOP)
        with contextlib.suppress(Exception):
            await self._task
        conn, self._conn = self._conn, None
        await close_connection(conn)

    async def _writer_connection(self) -> asyncpg.Connection[Record]:
        conn = self._conn
        if conn is None or conn.is_closed():
            self._conn = None
            conn = await self._connect()
            self._conn = conn
        return conn

    async def _writer_loop(self) -> None:
        queue = self._queue
        stop = False
        while not stop:
            first = await queue.get()
            if first is _STOP:
                break
            batch: list[_Item] = [first]  # type: ignore[list-item]
            while len(batch) < self._max_batch:
                try:
                    item = queue.get_nowait()
                except asyncio.QueueEmpty:
                    break
                if item is _STOP:
                    stop = True
                    break
                batch.append(item)  # type: ignore[arg-type]
            try:
                await self._process(batch)
            except BaseException as exc:  # never leave a caller hanging
                err = map_error(exc, "commit a batch")
                for it in batch:
                    if not it.future.done():
                        it.future.set_exception(err)
                if not isinstance(exc, Exception):
                    raise
        # fail whatever raced in after the stop marker
        while not queue.empty():
            item = queue.get_nowait()
            if isinstance(item, Ingest | Rejected | Logs | Finish) and not item.future.done():
                item.future.set_exception(StoreUnavailable("the store is closed"))

    async def _process(self, batch: list[_Item]) -> None:
        tries = 0
        while True:
            tries += 1
            try:
                conn = await self._writer_connection()
                await self.commit_batch(conn, batch)
            except Exception as exc:
                if is_connection_error(exc):
                    await self._drop_writer_connection()
                    await self._connection_lost()
                    self._fail_batch(batch, exc)
                    return
                if is_retryable(exc) and tries < 4:
                    await asyncio.sleep(0.005 * tries)
                    continue
                if len(batch) == 1:
                    self._fail_batch(batch, exc, unavailable=False)
                    return
                # an item's own data broke the batch: commit each alone, so only it fails
                for item in batch:
                    await self._process([item])
                return
            self._succeed_batch(batch)
            return

    async def _drop_writer_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.terminate()

    def _fail_batch(
        self, batch: list[_Item], exc: BaseException, *, unavailable: bool = True
    ) -> None:
        err = map_error(exc, "ingest" if len(batch) == 1 else "commit a batch")
        if unavailable:
            self._stats.failed_commits += 1
            if not isinstance(err, StoreUnavailable):
                err = StoreUnavailable(str(err))
            log.warning("PostgreSQL write batch of %d failed: %s", len(batch), err)
        for item in batch:
            if not item.future.done():
                item.future.set_exception(err)

    def _succeed_batch(self, batch: list[_Item]) -> None:
        stats = self._stats
        stats.commits += 1
        stats.largest_batch = max(stats.largest_batch, len(batch))
        woke = False
        for item in batch:
            result = self.result(item)
            if isinstance(result, IngestResult):
                stats.ingests += 1
                woke = woke or bool(result.run_ids)
            if not item.future.done():
                item.future.set_result(result)
        if woke:
            self._wake.set()

    @classmethod
    def result(cls, item: _Item) -> Any:
        """What the caller of a committed ``item`` gets: an ``IngestResult``, whether a finish
        took effect, or None."""
        if isinstance(item, Ingest):
            return cls.ingest_result(item)
        if isinstance(item, Finish):
            return item.took_effect
        return None

    @staticmethod
    def ingest_result(item: Ingest) -> IngestResult:
        dup = item.duplicate_of
        return IngestResult(
            request_id=item.req.id,
            duplicate=dup is not None,
            duplicate_of=dup,
            run_ids=() if dup is not None else item.run_ids,
        )

    async def _resolve_dedupe(self, conn: Conn, items: list[Ingest]) -> None:
        """Decide which ingests are duplicates (inside the batch's transaction)."""
        groups: dict[tuple[str, str], list[Ingest]] = {}
        for item in items:
            dedupe_on = item.req.dedupe_on  # kept in the dedupe_keys.event_id column
            assert dedupe_on is not None
            groups.setdefault((item.req.endpoint_id, dedupe_on), []).append(item)
        keys = sorted(groups)  # one lock order for every host: no deadlocks between batches
        firsts = [groups[k][0].req for k in keys]
        won = {
            (r[0], r[1])
            for r in await conn.fetch(
                _DEDUPE_UPSERT_SQL,
                [k[0] for k in keys],
                [k[1] for k in keys],
                [f.id for f in firsts],
                [f.received_at for f in firsts],
                [f.received_at + f.dedupe_window for f in firsts],
            )
        }
        lost = [k for k in keys if k not in won]
        existing: dict[tuple[str, str], tuple[str, float]] = {}
        if lost:
            for r in await conn.fetch(
                _DEDUPE_LOOKUP_SQL, [k[0] for k in lost], [k[1] for k in lost]
            ):
                existing[(r[0], r[1])] = (r[2], float(r[3]))
        for key in keys:
            group = groups[key]
            first = group[0]
            if key in won:
                owner, expires = first.req.id, first.req.received_at + first.req.dedupe_window
                first.duplicate_of = None
            else:
                owner, expires = existing.get(key, (first.req.id, -math.inf))
                first.duplicate_of = owner if owner != first.req.id else None
            for item in group[1:]:
                if item.req.received_at < expires:
                    item.duplicate_of = owner
                else:  # the window ran out inside the batch: this one starts a new window
                    item.duplicate_of = None
                    owner = item.req.id
                    expires = item.req.received_at + item.req.dedupe_window
                    await conn.execute(
                        "UPDATE dedupe_keys SET request_id = $3, created_at = $4, expires_at = $5 "
                        "WHERE endpoint_id = $1 AND event_id = $2",
                        key[0],
                        key[1],
                        owner,
                        item.req.received_at,
                        expires,
                    )

    async def commit_batch(self, conn: Conn, batch: Sequence[_Item]) -> None:
        """Write ``batch`` on ``conn``, duplicates decided first (the caller settles futures)."""
        ingests = [i for i in batch if isinstance(i, Ingest)]
        rejects = [i for i in batch if isinstance(i, Rejected)]
        logs = [i for i in batch if isinstance(i, Logs)]
        finishes = [i for i in batch if isinstance(i, Finish)]
        for item in ingests:
            item.duplicate_of = None
        deduped = [i for i in ingests if i.req.dedupe_on is not None and i.req.dedupe_window > 0]
        if deduped:
            async with _planned_per_call(conn):
                await self._resolve_dedupe(conn, deduped)
                await self._insert_batch(conn, ingests, rejects, logs, finishes)
        else:
            await self._insert_batch(conn, ingests, rejects, logs, finishes)
        if any(r.trim for r in rejects) or any(i.trim for i in ingests):
            # After the commit: a failure here must not turn committed rows into errors.
            try:
                async with _planned_per_call(conn):
                    await self._trim(conn)
            except Exception as exc:
                log.warning("trimming rejected requests failed (next time, then): %s", exc)
                self._trims.retry_next()

    async def _insert_batch(
        self,
        conn: Conn,
        ingests: list[Ingest],
        rejects: list[Rejected],
        logs: list[Logs],
        finishes: list[Finish],
    ) -> None:
        req_cols: list[list[Any]] = [[] for _ in range(15)]
        run_cols: list[list[Any]] = [[] for _ in range(6)]
        req_tests: list[bool] = []
        run_tests: list[bool] = []
        for item in ingests:
            r = item.req
            dup = item.duplicate_of
            values: tuple[Any, ...] = (
                r.id,
                r.endpoint_id,
                r.method,
                r.url,
                len(item.body) if r.body_size is None else r.body_size,
                r.received_at,
                r.client,
                "duplicate" if dup is not None else r.status,
                r.verification,
                r.event_type,
                r.event_id,
                r.event_time,
                dup,
                item.headers if dup is None else duplicate_headers(item.headers),
                item.body if dup is None else b"",  # the original keeps it
            )
            for col, value in zip(req_cols, values, strict=True):
                col.append(value)
            req_tests.append(r.test)
            if dup is None:
                for run_id, spec in zip(item.run_ids, r.runs, strict=True):
                    run_values: tuple[Any, ...] = (
                        run_id,
                        r.id,
                        r.endpoint_id,
                        spec.job_id,
                        spec.job_version,
                        int(spec.max_attempts),
                    )
                    for col, value in zip(run_cols, run_values, strict=True):
                        col.append(value)
                    run_tests.append(r.test)
        rej_cols: list[list[Any]] = [[] for _ in range(9)]
        for rej in rejects:
            for col, rej_value in zip(rej_cols, rej.row, strict=True):
                col.append(rej_value)
        log_cols: list[list[Any]] = [[] for _ in range(6)]
        for item_logs in logs:
            for log_row in item_logs.rows:
                for col, log_value in zip(log_cols, log_row, strict=True):
                    col.append(log_value)
        fin_cols = (
            [f.run_id for f in finishes],
            [f.worker_id for f in finishes],
            [f.attempt for f in finishes],
            [f.output for f in finishes],
            [f.detail for f in finishes],
        )
        if ingests or rejects:
            row = await conn.fetchrow(
                INGEST_SQL,
                *req_cols,
                *rej_cols,
                *run_cols,
                time.time(),
                bool(run_cols[0]),
                req_tests,
                run_tests,
                *log_cols,
                *fin_cols,
            )
        else:
            row = await conn.fetchrow(RUNS_SQL, *log_cols, *fin_cols, time.time())
        finished = set(row[1]) if row is not None and row[1] is not None else set()
        for f in finishes:
            f.took_effect = f.run_id in finished


@contextlib.asynccontextmanager
async def _planned_per_call(conn: Conn) -> AsyncIterator[None]:
    """A transaction on the writer's connection whose statements are planned for their values
    (``_PLAN_PER_CALL``); committed when the block ends, rolled back when it raises."""
    await conn.execute(_PLAN_PER_CALL)
    try:
        yield
    except BaseException:
        if not conn.is_closed():
            with contextlib.suppress(Exception):
                await conn.execute("ROLLBACK")
        raise
    await conn.execute("COMMIT")
