"""PostgreSQL backend (asyncpg): for several hosts and workers on one database.

Ingest
    A writer task batches queued ingests (and rejected-request records): everything that queued
    while the previous batch was committing goes into ONE statement — ``INSERT … SELECT * FROM
    unnest($1::text[], …)`` for requests, runs and rejected rows, plus ``pg_notify`` — on the
    writer's own connection. A single statement is its own transaction (no BEGIN/COMMIT round
    trips); a batch that needs dedupe runs two statements inside one transaction. Callers are
    released only after the commit. If the batch fails on an item's own data (a key clash, a
    CHECK), each item is retried alone so only the guilty caller fails; if the connection fails,
    every caller gets :class:`~hookpoint.StoreUnavailable`.

Claims
    ``UPDATE runs … FROM (SELECT id … FOR UPDATE SKIP LOCKED) … RETURNING``: concurrent claimers
    (in any process) never get the same run. Expired leases are reaped first (attempt ``lost``,
    run requeued, or failed when no attempts are left).

Wake-ups
    ``LISTEN hookpoint_runs`` on a dedicated connection; ingest, replay and release send
    ``pg_notify`` inside their transaction, so idle workers in every process wake at commit. The
    payload is the schema, so deployments sharing a database (not a schema) ignore each other.

Failures
    Connection errors, shutdowns, read-only servers and full disks raise StoreUnavailable. After a
    connection error the pool's connections are expired, so the next call reconnects: the host
    recovers by itself when the server comes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, TypeAlias, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from asyncpg.pool import PoolConnectionProxy

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
    RUN_FIELDS,
    Params,
    attempt_from_row,
    log_from_row,
    merge_request_pages,
    page_of,
    prefixed,
    rejected_from_row,
    request_columns,
    request_from_row,
    request_list_sql,
    request_tables,
    run_from_row,
    run_list_sql,
)

__all__ = ["CHANNEL", "PostgresStore"]

log = logging.getLogger("hookpoint.store.postgres")

T = TypeVar("T")
Record: TypeAlias = asyncpg.Record
Conn: TypeAlias = "asyncpg.Connection[Record] | PoolConnectionProxy[Record]"

CHANNEL: Final = "hookpoint_runs"
# The payload names the schema the runs were queued in, so deployments (or test runs) sharing a
# database but not a schema do not wake each other's workers.
_PAYLOAD: Final = "coalesce(current_schema(), '')"
_PURGE_CHUNK = 500
_REAP_LIMIT = 1000
_UNAVAILABLE_CLASSES = ("08", "53", "57", "58", "28", "3D")
# 25006 read_only_sql_transaction: a standby, or default_transaction_read_only
_UNAVAILABLE_STATES = ("25006",)


def _sqlstate(exc: BaseException) -> str:
    return str(getattr(exc, "sqlstate", "") or "")


def is_connection_error(exc: BaseException) -> bool:
    if isinstance(exc, OSError | TimeoutError | ConnectionError):
        return True
    if isinstance(exc, asyncpg.exceptions.OutdatedSchemaCacheError):
        return False
    if isinstance(exc, asyncpg.InterfaceError | asyncpg.exceptions.InternalClientError):
        # client-side state trouble ("connection is closed", "another operation is in
        # progress" after the server dropped us mid-call): the connection cannot be trusted
        return True
    state = _sqlstate(exc)
    return state[:2] in _UNAVAILABLE_CLASSES or state in _UNAVAILABLE_STATES


def _is_retryable(exc: BaseException) -> bool:
    # serialization failure, deadlock: nothing was written; a stale prepared statement after a
    # schema change: asyncpg cleared its cache
    return _sqlstate(exc)[:2] == "40" or isinstance(
        exc, asyncpg.exceptions.OutdatedSchemaCacheError
    )


def map_error(exc: BaseException, doing: str) -> StoreError:
    if isinstance(exc, StoreError):
        return exc
    if is_connection_error(exc):
        state = _sqlstate(exc)
        what = {
            "53100": "the database server's disk is full",
            "25006": "the database is read-only",
            "57P01": "the database server is shutting down",
            "57P03": "the database server is starting up",
            "53300": "too many connections",
        }.get(state, "the database is unreachable")
        return StoreUnavailable(
            f"PostgreSQL could not {doing}: {what} ({type(exc).__name__}: {exc})"
        )
    return StoreError(f"PostgreSQL could not {doing}: {type(exc).__name__}: {exc}")


def _mask(dsn: str) -> str:
    try:
        parts = urlsplit(dsn)
    except ValueError:
        return "postgresql://…"
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return dsn


_PLAIN_IDENT = re.compile(r"^[a-z_][a-z0-9_$]*$")


def _quote_ident(name: str) -> str:
    if _PLAIN_IDENT.match(name):
        return name
    return '"' + name.replace('"', '""') + '"'


# -- the batched ingest statement -------------------------------------------------------------
_INGEST_SQL: Final = f"""
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
)
SELECT pg_notify('{CHANNEL}', {_PAYLOAD}) WHERE $32::boolean
"""

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

_TRIM_AGE_SQL: Final = "DELETE FROM rejected_requests WHERE received_at < $1"
_TRIM_COUNT_SQL: Final = (
    "DELETE FROM rejected_requests WHERE id <= (SELECT id FROM rejected_requests "
    "ORDER BY id DESC LIMIT 1 OFFSET $1)"
)
# Handshakes are recorded for anyone who can reach an endpoint, like rejected requests, and
# capped the same way (they have no runs and no dedupe keys).
_TRIM_HANDSHAKES_AGE_SQL: Final = (
    "DELETE FROM requests WHERE status = 'handshake' AND received_at < $1"
)
_TRIM_HANDSHAKES_COUNT_SQL: Final = (
    "DELETE FROM requests WHERE status = 'handshake' AND id <= (SELECT id FROM requests "
    "WHERE status = 'handshake' ORDER BY id DESC LIMIT 1 OFFSET $1)"
)

_REAP_SQL: Final = f"""
WITH expired AS (
    SELECT id FROM runs WHERE status = 'running' AND lease_expires_at <= $1
    ORDER BY lease_expires_at LIMIT {_REAP_LIMIT} FOR UPDATE SKIP LOCKED
), upd AS (
    UPDATE runs r SET
        status = CASE WHEN r.attempt >= r.max_attempts THEN 'failed' ELSE 'queued' END,
        next_attempt_at = CASE WHEN r.attempt >= r.max_attempts THEN NULL ELSE $1 END,
        last_error = 'attempt ' || r.attempt || ' lost (lease expired)'
            || CASE WHEN r.attempt >= r.max_attempts THEN '; no attempts left' ELSE '' END,
        lease_owner = NULL, lease_expires_at = NULL, updated_at = $1
    FROM expired WHERE r.id = expired.id
    RETURNING r.id, r.attempt
), lost AS (
    UPDATE attempts a SET status = 'lost', finished_at = $1,
        error = 'lease expired (the worker stopped heartbeating)'
    FROM upd WHERE a.run_id = upd.id AND a.number = upd.attempt AND a.status = 'running'
)
SELECT count(*) FROM upd
"""

_CLAIM_SQL: Final = f"""
WITH due AS (
    SELECT id FROM runs
    WHERE status = 'queued' AND next_attempt_at <= $1
      AND ($5::text[] IS NULL OR job_id = ANY($5::text[]))
    ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE runs r SET status = 'running', attempt = r.attempt + 1, lease_owner = $3,
        lease_expires_at = $4, next_attempt_at = NULL, updated_at = $1
    FROM due WHERE r.id = due.id
    RETURNING {prefixed(RUN_FIELDS, "r")}
), att AS (
    INSERT INTO attempts (run_id, number, worker, started_at, status)
    SELECT id, attempt, $3, $1, 'running' FROM claimed
)
SELECT {prefixed(RUN_FIELDS, "c")}, {request_columns("q")}
FROM claimed c JOIN requests q ON q.id = c.request_id
ORDER BY c.id
"""


def end_attempt_sql(run_set: str, *, notify: bool = False) -> str:
    """Finish/fail/release: ``$1`` run id, ``$2`` worker, ``$3`` attempt, ``$4`` now, ``$5``
    attempt status, ``$6`` error, ``$7…`` whatever ``run_set`` uses. Ownership is
    ``lease_owner`` + ``attempt`` (a lease exists exactly while running), looked up by id."""
    notify_sql = f", max(pg_notify('{CHANNEL}', {_PAYLOAD})::text)" if notify else ""
    return f"""
    WITH r AS (
        UPDATE runs SET {run_set}, lease_owner = NULL, lease_expires_at = NULL, updated_at = $4
        WHERE id = $1 AND lease_owner = $2 AND attempt = $3
        RETURNING id
    ), a AS (
        UPDATE attempts SET status = $5, finished_at = $4, error = $6
        WHERE run_id = $1 AND number = $3 AND EXISTS (SELECT 1 FROM r)
    )
    SELECT count(*){notify_sql} FROM r
    """


@dataclass(slots=True)
class _Ingest:
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
class _Rejected:
    row: tuple[Any, ...]
    trim: bool
    future: asyncio.Future[Any]


_Item: TypeAlias = "_Ingest | _Rejected"
_STOP: Final = object()


class PostgresStore(Store):
    """The PostgreSQL store. Options (all keyword):

    ``schema``: put every table in this schema (sets ``search_path``; created by ``upgrade``).
    ``min_pool``/``max_pool``: pool size for reads, claims and finishes (default 1/10).
    ``group_commit``: batch concurrent ingests into one transaction (default True; False gives
    every ingest its own transaction on the pool — the baseline the benchmark compares against).
    ``max_batch``: most items per batch (default 500). ``auto_upgrade``: migrate on ``open()``
    (default True; ``hookpoint db upgrade`` passes False and calls ``upgrade()``).
    ``connect_timeout`` / ``command_timeout`` (seconds), ``server_settings`` (dict),
    ``statement_cache_size`` (set 0 behind pgbouncer in transaction mode), and the
    ``rejected_*`` bounds as for SQLite.
    """

    def __init__(
        self,
        dsn: str,
        *,
        url: str | None = None,
        schema: str | None = None,
        min_pool: int = 1,
        max_pool: int = 10,
        group_commit: bool = True,
        max_batch: int = 500,
        auto_upgrade: bool = True,
        connect_timeout: float = 5.0,
        command_timeout: float | None = 30.0,
        server_settings: dict[str, str] | None = None,
        statement_cache_size: int = 100,
        listen: bool = True,
        rejected_max_rows: int = 10_000,
        rejected_max_age: float = 7 * 86400.0,
        rejected_trim_every: int = 100,
        wake_interval_max: float = 3600.0,
    ) -> None:
        if rejected_max_rows < 1 or rejected_trim_every < 1:
            raise ConfigError("rejected_max_rows and rejected_trim_every must be >= 1")
        if min_pool < 0 or max_pool < 1 or min_pool > max_pool:
            raise ConfigError("need 0 <= min_pool <= max_pool and max_pool >= 1")
        self.dsn = dsn
        self.url = url or _mask(dsn)
        self.schema = schema
        self.min_pool = int(min_pool)
        self.max_pool = int(max_pool)
        self.group_commit = group_commit
        self.max_batch = max(1, int(max_batch))
        self.auto_upgrade = auto_upgrade
        self.connect_timeout = float(connect_timeout)
        self.listen = listen
        self.rejected_max_rows = int(rejected_max_rows)
        self.rejected_max_age = float(rejected_max_age)
        self.rejected_trim_every = int(rejected_trim_every)
        self.wake_interval_max = wake_interval_max
        settings = {"application_name": "hookpoint", "jit": "off"}
        settings.update(server_settings or {})
        if schema:
            settings["search_path"] = _quote_ident(schema)
        self._connect_kwargs: dict[str, Any] = {
            "timeout": self.connect_timeout,
            "command_timeout": command_timeout,
            "server_settings": settings,
            "statement_cache_size": statement_cache_size,
        }
        self.stats = StoreStats()
        self.pending_migrations: list[str] = []
        """Set by ``open(auto_upgrade=False)``: migrations the database still needs."""
        self._pool: asyncpg.Pool[Record] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[_Item | object] | None = None
        self._writer_task: asyncio.Task[None] | None = None
        self._writer_conn: asyncpg.Connection[Record] | None = None
        self._listener: asyncpg.Connection[Record] | None = None
        self._listener_retry_at = 0.0
        self._listener_task: asyncio.Task[None] | None = None
        self._listen_schema: str | None = None
        self._wake = asyncio.Event()
        self._timers: set[asyncio.TimerHandle] = set()
        self._closed = False
        self._trims = TrimCounter(self.rejected_trim_every)

    def __repr__(self) -> str:
        return f"<PostgresStore {self.url!r}{f' schema={self.schema}' if self.schema else ''}>"

    # -- lifecycle -------------------------------------------------------------------------------
    async def open(self) -> None:
        if self._pool is not None:
            return
        if self._closed:
            raise StoreUnavailable("the store was closed; create a new one")
        self._loop = asyncio.get_running_loop()
        try:
            pool: asyncpg.Pool[Record] = await asyncpg.create_pool(
                self.dsn,
                min_size=self.min_pool,
                max_size=self.max_pool,
                max_inactive_connection_lifetime=300.0,
                **self._connect_kwargs,
            )
        except Exception as exc:
            raise map_error(exc, f"connect to {self.url}") from exc
        self._pool = pool
        try:
            if self.auto_upgrade:
                await self.upgrade()
            else:
                await self._check_schema()
        except BaseException:
            await self.close()
            raise
        self._queue = asyncio.Queue()
        self._writer_task = asyncio.create_task(self._writer_loop(), name="hookpoint-pg-writer")
        if self.listen:
            self._ensure_listener()
            if self._listener_task is not None:
                await self._listener_task

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()
        listener_task, self._listener_task = self._listener_task, None
        if listener_task is not None and not listener_task.done():
            listener_task.cancel()
            with contextlib.suppress(BaseException):
                await listener_task
        task, self._writer_task = self._writer_task, None
        if task is not None and self._queue is not None:
            self._queue.put_nowait(_STOP)
            with contextlib.suppress(Exception):
                await task
        for conn in (self._writer_conn, self._listener):
            if conn is not None and not conn.is_closed():
                try:
                    await asyncio.wait_for(conn.close(), 5)
                except Exception:
                    conn.terminate()
        self._writer_conn = self._listener = None
        pool, self._pool = self._pool, None
        if pool is not None:
            try:
                await asyncio.wait_for(pool.close(), 10)
            except Exception:
                pool.terminate()
        self._wake.set()

    async def upgrade(self) -> list[str]:
        schema = self.schema

        async def op(conn: Conn) -> list[str]:
            async with conn.transaction():
                await conn.execute(
                    "SELECT pg_advisory_xact_lock(hashtext('hookpoint.schema_migrations.' || "
                    "coalesce($1::text, current_schema(), '')))",
                    schema,
                )
                if schema:
                    await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote_ident(schema)}")
                await conn.execute(_migrations.SCHEMA_MIGRATIONS_POSTGRES)
                applied = {r[0] for r in await conn.fetch("SELECT version FROM schema_migrations")}
                problem = _migrations.check_not_newer(applied)
                if problem:
                    raise StoreError(problem)
                done: list[str] = []
                for migration in _migrations.pending(applied):
                    for statement in migration.postgres:
                        await conn.execute(statement)
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, description, applied_at) "
                        "VALUES ($1, $2, $3)",
                        migration.version,
                        migration.description,
                        time.time(),
                    )
                    done.append(migration.version)
                return done

        done = await self._run(op, "upgrade the schema")
        self.pending_migrations = []
        if done:
            log.info("PostgreSQL store %s: applied migrations %s", self.url, ", ".join(done))
        return done

    async def _check_schema(self) -> None:
        async def op(conn: Conn) -> set[str]:
            exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
            if not exists:
                return set()
            return {r[0] for r in await conn.fetch("SELECT version FROM schema_migrations")}

        applied = await self._run(op, "read the schema version", read=True)
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
        async def op(conn: Conn) -> bool:
            return bool(
                await conn.fetchval(
                    "SELECT NOT pg_is_in_recovery() AND "
                    "current_setting('transaction_read_only') = 'off'"
                )
            )

        if not await self._run(op, "ping", read=True):
            raise StoreUnavailable("PostgreSQL is reachable but read-only (a standby?)")

    # -- plumbing ----------------------------------------------------------------------------------
    def _require_pool(self) -> asyncpg.Pool[Record]:
        if self._closed or self._pool is None:
            raise StoreUnavailable(
                "the store is closed" if self._closed else "the store is not open"
            )
        return self._pool

    async def _connection_lost(self) -> None:
        """After a connection error: replace every pooled connection on its next use."""
        pool = self._pool
        if pool is not None:
            with contextlib.suppress(Exception):
                await pool.expire_connections()

    async def _run(
        self, fn: Callable[[Conn], Awaitable[T]], doing: str, *, read: bool = False
    ) -> T:
        """Run ``fn`` on a pooled connection. Deadlocks/serialization failures are retried (they
        roll back); reads are retried once on a fresh connection after a connection error."""
        pool = self._require_pool()
        tries = 0
        while True:
            tries += 1
            try:
                async with pool.acquire(timeout=self.connect_timeout) as conn:
                    return await fn(conn)
            except StoreError:
                raise
            except Exception as exc:
                if is_connection_error(exc):
                    await self._connection_lost()
                    if read and tries < 2 and not self._closed:
                        continue
                elif _is_retryable(exc) and tries < 4:
                    await asyncio.sleep(0.005 * tries)
                    continue
                raise map_error(exc, doing) from exc

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        if self._listen_schema is None or payload in (self._listen_schema, ""):
            self._wake.set()

    def _on_listener_lost(self, *_args: object) -> None:
        self._listener = None

    def _ensure_listener(self) -> None:
        """(Re)start LISTEN in the background when its connection is gone; never blocks."""
        if not self.listen or self._closed:
            return
        conn = self._listener
        if conn is not None and not conn.is_closed():
            return
        task = self._listener_task
        if task is not None and not task.done():
            return
        now = time.monotonic()
        if now < self._listener_retry_at:
            return
        self._listener_retry_at = now + 2.0
        self._listener_task = asyncio.create_task(
            self._connect_listener(), name="hookpoint-pg-listen"
        )

    async def _connect_listener(self) -> None:
        try:
            conn = await asyncpg.connect(self.dsn, **self._connect_kwargs)
        except Exception as exc:
            log.warning("PostgreSQL LISTEN %s failed (workers poll meanwhile): %s", CHANNEL, exc)
            return
        try:
            self._listen_schema = str(await conn.fetchval("SELECT coalesce(current_schema(), '')"))
            await conn.add_listener(CHANNEL, self._on_notify)
            conn.add_termination_listener(self._on_listener_lost)
        except Exception as exc:
            log.warning("PostgreSQL LISTEN %s failed (workers poll meanwhile): %s", CHANNEL, exc)
            conn.terminate()
            return
        if self._closed:
            conn.terminate()
            return
        self._listener = conn
        self._wake.set()  # something may have been queued while nobody listened

    def _notify_at(self, when: float) -> None:
        loop = self._loop
        delay = when - time.time()
        if delay <= 0 or loop is None:
            self._wake.set()
            return
        if delay > self.wake_interval_max:
            return

        def fire() -> None:
            self._timers.discard(handle)
            self._wake.set()

        handle = loop.call_later(delay, fire)
        self._timers.add(handle)

    # -- the group-commit writer ------------------------------------------------------------------
    async def _enqueue(self, item: _Item) -> Any:
        self._require_pool()
        queue = self._queue
        if queue is None:
            raise StoreUnavailable("the store is not open")
        if not self.group_commit:
            return await self._commit_alone_on_pool(item)
        queue.put_nowait(item)
        return await item.future

    async def _commit_alone_on_pool(self, item: _Item) -> Any:
        """group_commit=False: one transaction per call on the pool (benchmark baseline)."""

        async def op(conn: Conn) -> None:
            await self._commit_batch(conn, [item])

        await self._run(op, "ingest")
        self.stats.commits += 1
        if isinstance(item, _Ingest):
            self.stats.ingests += 1
            return self._ingest_result(item)
        return None

    async def _writer_connection(self) -> asyncpg.Connection[Record]:
        conn = self._writer_conn
        if conn is None or conn.is_closed():
            self._writer_conn = None
            conn = await asyncpg.connect(self.dsn, **self._connect_kwargs)
            self._writer_conn = conn
        return conn

    async def _writer_loop(self) -> None:
        queue = self._queue
        assert queue is not None
        stop = False
        while not stop:
            first = await queue.get()
            if first is _STOP:
                break
            batch: list[_Item] = [first]  # type: ignore[list-item]
            while len(batch) < self.max_batch:
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
            if isinstance(item, _Ingest | _Rejected) and not item.future.done():
                item.future.set_exception(StoreUnavailable("the store is closed"))

    async def _process(self, batch: list[_Item]) -> None:
        tries = 0
        while True:
            tries += 1
            try:
                conn = await self._writer_connection()
                await self._commit_batch(conn, batch)
            except Exception as exc:
                if is_connection_error(exc):
                    await self._drop_writer_connection()
                    await self._connection_lost()
                    self._fail_batch(batch, exc)
                    return
                if _is_retryable(exc) and tries < 4:
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
        conn, self._writer_conn = self._writer_conn, None
        if conn is not None:
            conn.terminate()

    def _fail_batch(
        self, batch: list[_Item], exc: BaseException, *, unavailable: bool = True
    ) -> None:
        err = map_error(exc, "ingest" if len(batch) == 1 else "commit a batch")
        if unavailable:
            self.stats.failed_commits += 1
            if not isinstance(err, StoreUnavailable):
                err = StoreUnavailable(str(err))
            log.warning("PostgreSQL write batch of %d failed: %s", len(batch), err)
        for item in batch:
            if not item.future.done():
                item.future.set_exception(err)

    def _succeed_batch(self, batch: list[_Item]) -> None:
        stats = self.stats
        stats.commits += 1
        stats.largest_batch = max(stats.largest_batch, len(batch))
        woke = False
        for item in batch:
            if isinstance(item, _Ingest):
                stats.ingests += 1
                result = self._ingest_result(item)
                woke = woke or bool(result.run_ids)
                if not item.future.done():
                    item.future.set_result(result)
            elif not item.future.done():
                item.future.set_result(None)
        if woke:
            self._wake.set()

    @staticmethod
    def _ingest_result(item: _Ingest) -> IngestResult:
        dup = item.duplicate_of
        return IngestResult(
            request_id=item.req.id,
            duplicate=dup is not None,
            duplicate_of=dup,
            run_ids=() if dup is not None else item.run_ids,
        )

    async def _resolve_dedupe(self, conn: Conn, items: list[_Ingest]) -> None:
        """Decide which ingests are duplicates (inside the batch's transaction)."""
        groups: dict[tuple[str, str], list[_Ingest]] = {}
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

    async def _commit_batch(self, conn: Conn, batch: Sequence[_Item]) -> None:
        ingests = [i for i in batch if isinstance(i, _Ingest)]
        rejects = [i for i in batch if isinstance(i, _Rejected)]
        for item in ingests:
            item.duplicate_of = None
        deduped = [i for i in ingests if i.req.dedupe_on is not None and i.req.dedupe_window > 0]
        if deduped:
            async with conn.transaction():
                await self._resolve_dedupe(conn, deduped)
                await self._insert_batch(conn, ingests, rejects)
        else:
            await self._insert_batch(conn, ingests, rejects)
        if any(r.trim for r in rejects) or any(i.trim for i in ingests):
            # After the commit: a failure here must not turn committed rows into errors.
            try:
                await self._trim_unauthenticated(conn, time.time())
            except Exception as exc:
                log.warning("trimming rejected requests failed (next time, then): %s", exc)
                self._trims.retry_next()

    async def _trim_unauthenticated(self, conn: Conn, now: float) -> int:
        """Rejected requests and handshakes past their cap (count and age)."""
        oldest = now - self.rejected_max_age
        n = _rowcount(await conn.execute(_TRIM_AGE_SQL, oldest))
        n += _rowcount(await conn.execute(_TRIM_COUNT_SQL, self.rejected_max_rows))
        n += _rowcount(await conn.execute(_TRIM_HANDSHAKES_AGE_SQL, oldest))
        n += _rowcount(await conn.execute(_TRIM_HANDSHAKES_COUNT_SQL, self.rejected_max_rows))
        return n

    async def _insert_batch(
        self, conn: Conn, ingests: list[_Ingest], rejects: list[_Rejected]
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
        await conn.execute(
            _INGEST_SQL,
            *req_cols,
            *rej_cols,
            *run_cols,
            time.time(),
            bool(run_cols[0]),
            req_tests,
            run_tests,
        )

    # -- ingest ------------------------------------------------------------------------------------
    async def ingest(self, request: NewRequest) -> IngestResult:
        loop = self._loop
        if loop is None or self._closed:
            self._require_pool()
            raise StoreUnavailable("the store is not open")
        trim = request.status == "handshake" and self._trims.due()  # capped like rejected ones
        item = _Ingest(
            req=request,
            headers=encode_headers(request.headers),
            body=bytes(request.body),
            run_ids=tuple(new_id() for _ in request.runs),
            future=loop.create_future(),
            trim=trim,
        )
        result: IngestResult = await self._enqueue(item)
        if result.run_ids and not self.group_commit:
            self._wake.set()
        return result

    async def record_rejected(self, rejected: RejectedRequest) -> None:
        loop = self._loop
        if loop is None or self._closed:
            raise StoreUnavailable("the store is closed" if self._closed else "not open")
        r = rejected
        trim = self._trims.due()
        row = (
            r.id,
            r.endpoint_id,
            r.method,
            r.url,
            r.reason,
            r.received_at,
            r.client,
            int(r.body_size),
            encode_headers(r.headers),
        )
        await self._enqueue(_Rejected(row=row, trim=trim, future=loop.create_future()))

    # -- runs --------------------------------------------------------------------------------------
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

        async def op(conn: Conn) -> list[ClaimedRun]:
            at = time.time() if now is None else now
            await conn.fetchval(_REAP_SQL, at)
            rows = await conn.fetch(_CLAIM_SQL, at, limit, worker_id, at + lease_seconds, jobs)
            width = len(RUN_FIELDS)
            claimed = []
            for row in rows:
                run = run_from_row(row)
                req = request_from_row(_Offset(row, width))
                claimed.append(ClaimedRun(run=run, request=req, attempt=run.attempt))
            return claimed

        return await self._run(op, "claim runs")

    async def heartbeat(
        self, worker_id: str, run_ids: Sequence[str], lease_seconds: float
    ) -> set[str]:
        ids = list(dict.fromkeys(run_ids))
        if not ids:
            return set()

        async def op(conn: Conn) -> set[str]:
            rows = await conn.fetch(
                "UPDATE runs SET lease_expires_at = $1 WHERE id = ANY($2::text[]) "
                "AND lease_owner = $3 RETURNING id",
                time.time() + lease_seconds,
                ids,
                worker_id,
            )
            return {r[0] for r in rows}

        return await self._run(op, "heartbeat")

    async def _end_attempt(
        self,
        doing: str,
        worker_id: str,
        run_id: str,
        attempt: int,
        run_set: str,
        run_params: Sequence[Any],
        attempt_status: str,
        error: str | None,
        notify: bool = False,
    ) -> bool:
        sql = end_attempt_sql(run_set, notify=notify)

        async def op(conn: Conn) -> bool:
            row = await conn.fetchrow(
                sql, run_id, worker_id, attempt, time.time(), attempt_status, error, *run_params
            )
            return bool(row and row[0])

        return await self._run(op, doing)

    async def finish_run(
        self, worker_id: str, run_id: str, attempt: int, *, output: Any = None
    ) -> bool:
        return await self._end_attempt(
            "finish a run",
            worker_id,
            run_id,
            attempt,
            "status = 'succeeded', output = $7::json, next_attempt_at = NULL",
            (encode_json(output),),
            "succeeded",
            None,
        )

    async def fail_attempt(
        self,
        worker_id: str,
        run_id: str,
        attempt: int,
        *,
        error: str,
        retry_at: float | None,
    ) -> bool:
        if retry_at is None:
            ok = await self._end_attempt(
                "record a failed attempt",
                worker_id,
                run_id,
                attempt,
                "status = 'failed', last_error = $7, next_attempt_at = NULL",
                (error,),
                "failed",
                error,
            )
        else:
            ok = await self._end_attempt(
                "record a failed attempt",
                worker_id,
                run_id,
                attempt,
                "status = 'queued', last_error = $7, next_attempt_at = $8",
                (error, float(retry_at)),
                "failed",
                error,
            )
            if ok:
                self._notify_at(retry_at)
        return ok

    async def release_run(self, worker_id: str, run_id: str, attempt: int) -> bool:
        # A released attempt does not count: max_attempts grows by one (see SQLite's twin).
        ok = await self._end_attempt(
            "release a run",
            worker_id,
            run_id,
            attempt,
            "status = 'queued', next_attempt_at = $4, max_attempts = max_attempts + 1",
            (),
            "released",
            None,
            notify=True,
        )
        if ok:
            self._wake.set()
        return ok

    async def cancel_run(self, run_id: str) -> bool:
        async def op(conn: Conn) -> bool:
            now = time.time()
            async with conn.transaction():
                row = await conn.fetchrow(
                    "SELECT status, attempt FROM runs WHERE id = $1 FOR UPDATE", run_id
                )
                if row is None or row[0] not in ("queued", "running"):
                    return False
                await conn.execute(
                    "UPDATE runs SET status = 'cancelled', lease_owner = NULL, "
                    "lease_expires_at = NULL, next_attempt_at = NULL, updated_at = $2 "
                    "WHERE id = $1",
                    run_id,
                    now,
                )
                if row[0] == "running":
                    await conn.execute(
                        "UPDATE attempts SET status = 'failed', finished_at = $3, "
                        "error = 'cancelled' WHERE run_id = $1 AND number = $2 "
                        "AND status = 'running'",
                        run_id,
                        row[1],
                        now,
                    )
                return True

        return await self._run(op, "cancel a run")

    async def wait_for_runs(self, timeout: float) -> None:
        self._require_pool()
        self._ensure_listener()
        if self._wake.is_set():
            self._wake.clear()
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)
        self._wake.clear()

    # -- run io ------------------------------------------------------------------------------------
    async def append_logs(self, lines: Sequence[LogLine]) -> None:
        if not lines:
            return
        cols: list[list[Any]] = [[] for _ in range(6)]
        for ln in lines:
            values = (
                ln.run_id,
                int(ln.attempt),
                float(ln.at),
                ln.level,
                ln.message,
                None if ln.data is None else encode_json(ln.data),
            )
            for col, value in zip(cols, values, strict=True):
                col.append(value)

        async def op(conn: Conn) -> None:
            await conn.execute(
                f"INSERT INTO run_logs ({LOG_COLUMNS}) SELECT u.run_id, u.attempt, u.at, u.level, "
                "u.message, u.data FROM unnest($1::text[], $2::int4[], $3::float8[], $4::text[], "
                "$5::text[], $6::json[]) WITH ORDINALITY "
                "AS u(run_id, attempt, at, level, message, data, n) ORDER BY u.n",
                *cols,
            )

        await self._run(op, "append run logs")

    async def get_task_result(self, run_id: str, key: str) -> tuple[bool, Any]:
        async def op(conn: Conn) -> tuple[bool, Any]:
            row = await conn.fetchrow(
                "SELECT value::text FROM task_results WHERE run_id = $1 AND key = $2", run_id, key
            )
            return (False, None) if row is None else (True, decode_json(row[0]))

        return await self._run(op, "read a task result", read=True)

    async def save_task_result(self, run_id: str, key: str, value: Any) -> None:
        encoded = encode_strict_json(value, f"the result of task {key!r}")

        async def op(conn: Conn) -> None:
            await conn.execute(
                "INSERT INTO task_results (run_id, key, value, saved_at) "
                "VALUES ($1, $2, $3::json, $4) ON CONFLICT (run_id, key) DO UPDATE SET "
                "value = excluded.value, saved_at = excluded.saved_at",
                run_id,
                key,
                encoded,
                time.time(),
            )

        await self._run(op, "save a task result")

    # -- dashboard sessions ------------------------------------------------------------------------
    async def create_session(self, key: str, *, expires_at: float) -> None:
        async def op(conn: Conn) -> None:
            now = time.time()
            await conn.execute("DELETE FROM dashboard_sessions WHERE expires_at <= $1", now)
            await conn.execute(
                "INSERT INTO dashboard_sessions (key, created_at, expires_at) VALUES ($1, $2, $3) "
                "ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at",
                key,
                now,
                expires_at,
            )

        await self._run(op, "record a dashboard session")

    async def session_active(self, key: str, now: float) -> bool:
        async def op(conn: Conn) -> bool:
            row = await conn.fetchrow(
                "SELECT 1 FROM dashboard_sessions WHERE key = $1 AND expires_at > $2", key, now
            )
            return row is not None

        return await self._run(op, "check a dashboard session", read=True)

    async def revoke_session(self, key: str) -> None:
        async def op(conn: Conn) -> None:
            await conn.execute("DELETE FROM dashboard_sessions WHERE key = $1", key)

        await self._run(op, "end a dashboard session")

    # -- replay ------------------------------------------------------------------------------------
    async def replay_run(self, run_id: str) -> str:
        new_run_id = new_id()

        async def op(conn: Conn) -> bool:
            now = time.time()
            row = await conn.fetchrow(
                f"""
                WITH n AS (
                    INSERT INTO runs (id, request_id, endpoint_id, job_id, job_version, status,
                        attempt, max_attempts, created_at, updated_at, next_attempt_at, replay_of,
                        test)
                    SELECT $1, request_id, endpoint_id, job_id, job_version, 'queued', 0,
                        max_attempts, $2, $2, $2, id, test FROM runs WHERE id = $3
                    RETURNING id
                )
                SELECT count(*), max(pg_notify('{CHANNEL}', {_PAYLOAD})::text) FROM n
                """,
                new_run_id,
                now,
                run_id,
            )
            return bool(row and row[0])

        if not await self._run(op, "replay a run"):
            raise NotFound(f"run {run_id} not found")
        self._wake.set()
        return new_run_id

    async def replay_request(self, request_id: str, runs: Sequence[NewRun]) -> tuple[str, ...]:
        specs = [(new_id(), r.job_id, r.job_version, int(r.max_attempts)) for r in runs]

        async def op(conn: Conn) -> bool:
            now = time.time()
            row = await conn.fetchrow(
                f"""
                WITH q AS (SELECT id, endpoint_id, test FROM requests WHERE id = $1),
                n AS (
                    INSERT INTO runs (id, request_id, endpoint_id, job_id, job_version, status,
                        attempt, max_attempts, created_at, updated_at, next_attempt_at, test)
                    SELECT u.id, q.id, q.endpoint_id, u.job_id, u.job_version, 'queued', 0,
                        u.max_attempts, $2, $2, $2, q.test
                    FROM q, unnest($3::text[], $4::text[], $5::text[], $6::int4[])
                        AS u(id, job_id, job_version, max_attempts)
                    RETURNING id
                )
                SELECT (SELECT count(*) FROM q), (SELECT count(*) FROM n),
                    CASE WHEN EXISTS (SELECT 1 FROM n)
                        THEN pg_notify('{CHANNEL}', {_PAYLOAD})::text END
                """,
                request_id,
                now,
                [s[0] for s in specs],
                [s[1] for s in specs],
                [s[2] for s in specs],
                [s[3] for s in specs],
            )
            return bool(row and row[0])

        if not await self._run(op, "replay a request"):
            raise NotFound(f"request {request_id} not found")
        if specs:
            self._wake.set()
        return tuple(s[0] for s in specs)

    # -- queries -----------------------------------------------------------------------------------
    async def get_request(self, request_id: str) -> StoredRequest | None:
        async def op(conn: Conn) -> StoredRequest | None:
            row = await conn.fetchrow(
                f"SELECT {request_columns()} FROM requests WHERE id = $1",
                request_id,
            )
            if row is not None:
                return request_from_row(row)
            row = await conn.fetchrow(
                f"SELECT {REJECTED_COLUMNS} FROM rejected_requests WHERE id = $1", request_id
            )
            return rejected_from_row(row) if row is not None else None

        return await self._run(op, "read a request", read=True)

    async def list_requests(self, query: RequestQuery) -> Page:
        want_accepted, want_rejected = request_tables(query)

        async def op(conn: Conn) -> Page:
            accepted: list[StoredRequest] = []
            rejected: list[StoredRequest] = []
            limit = max(1, min(int(query.limit), 1000))
            if want_accepted:
                params = Params("dollar")
                sql, limit = request_list_sql(query, params, rejected=False)
                accepted = [request_from_row(r) for r in await conn.fetch(sql, *params.values)]
            if want_rejected:
                params = Params("dollar")
                sql, limit = request_list_sql(query, params, rejected=True)
                rejected = [rejected_from_row(r) for r in await conn.fetch(sql, *params.values)]
            return merge_request_pages(limit, accepted, rejected)

        return await self._run(op, "list requests", read=True)

    async def get_run(self, run_id: str) -> RunRecord | None:
        async def op(conn: Conn) -> RunRecord | None:
            row = await conn.fetchrow(f"SELECT {RUN_COLUMNS} FROM runs WHERE id = $1", run_id)
            return run_from_row(row) if row is not None else None

        return await self._run(op, "read a run", read=True)

    async def list_runs(self, query: RunQuery) -> Page:
        async def op(conn: Conn) -> Page:
            params = Params("dollar")
            sql, limit = run_list_sql(query, params)
            return page_of([run_from_row(r) for r in await conn.fetch(sql, *params.values)], limit)

        return await self._run(op, "list runs", read=True)

    async def list_attempts(self, run_id: str) -> list[Attempt]:
        async def op(conn: Conn) -> list[Attempt]:
            rows = await conn.fetch(
                f"SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE run_id = $1 ORDER BY number",
                run_id,
            )
            return [attempt_from_row(r) for r in rows]

        return await self._run(op, "list attempts", read=True)

    async def list_logs(self, run_id: str) -> list[LogLine]:
        async def op(conn: Conn) -> list[LogLine]:
            rows = await conn.fetch(
                f"SELECT {LOG_COLUMNS} FROM run_logs WHERE run_id = $1 ORDER BY id", run_id
            )
            return [log_from_row(r) for r in rows]

        return await self._run(op, "list run logs", read=True)

    async def queue_stats(self) -> QueueStats:
        async def op(conn: Conn) -> QueueStats:
            now = time.time()
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                queued = await conn.fetchval("SELECT count(*) FROM runs WHERE status = 'queued'")
                running = await conn.fetchval("SELECT count(*) FROM runs WHERE status = 'running'")
                oldest = await conn.fetchval(
                    "SELECT min(next_attempt_at) FROM runs "
                    "WHERE status = 'queued' AND next_attempt_at <= $1",
                    now,
                )
                rows = await conn.fetch("SELECT status, count(*) FROM runs GROUP BY status")
            return QueueStats(
                queued=int(queued or 0),
                running=int(running or 0),
                oldest_queued_age=max(0.0, now - float(oldest)) if oldest is not None else 0.0,
                by_status={str(r[0]): int(r[1]) for r in rows},
            )

        return await self._run(op, "read queue stats", read=True)

    # -- retention ---------------------------------------------------------------------------------
    async def purge(self, *, older_than: float) -> int:
        total = 0
        cursor = -math.inf
        while True:
            start = cursor

            async def chunk(conn: Conn, start: float = start) -> tuple[int, int, float]:
                async with conn.transaction():
                    rows = await conn.fetch(
                        "SELECT id, received_at FROM requests WHERE received_at < $1 "
                        "AND received_at >= $2 ORDER BY received_at LIMIT $3",
                        older_than,
                        start,
                        _PURGE_CHUNK,
                    )
                    if not rows:
                        return 0, 0, start
                    ids = [r[0] for r in rows]
                    last = float(rows[-1][1])
                    # Lock the requests' runs so a concurrent replay cannot slip in between.
                    runs = await conn.fetch(
                        "SELECT id, request_id, status FROM runs "
                        "WHERE request_id = ANY($1::text[]) FOR UPDATE",
                        ids,
                    )
                    busy = {r[1] for r in runs if r[2] in ("queued", "running")}
                    doomed = [i for i in ids if i not in busy]
                    run_ids = [r[0] for r in runs if r[1] not in busy]
                    deleted = 0
                    if run_ids:
                        for table in ("attempts", "run_logs", "task_results"):
                            status = await conn.execute(
                                f"DELETE FROM {table} WHERE run_id = ANY($1::text[])", run_ids
                            )
                            deleted += _rowcount(status)
                        deleted += _rowcount(
                            await conn.execute(
                                "DELETE FROM runs WHERE id = ANY($1::text[])", run_ids
                            )
                        )
                    if doomed:
                        deleted += _rowcount(
                            await conn.execute(
                                "DELETE FROM requests WHERE id = ANY($1::text[])", doomed
                            )
                        )
                if len(rows) < _PURGE_CHUNK:
                    return deleted, len(rows), math.inf
                if last <= start:
                    last = math.nextafter(last, math.inf)
                return deleted, len(rows), last

            deleted, seen, cursor = await self._run(chunk, "purge old requests")
            total += deleted
            if seen < _PURGE_CHUNK or cursor == math.inf:
                break

        async def tail(conn: Conn) -> int:
            now = time.time()
            n = _rowcount(await conn.execute("DELETE FROM dedupe_keys WHERE expires_at <= $1", now))
            n += _rowcount(
                await conn.execute(
                    "DELETE FROM rejected_requests WHERE received_at < $1", older_than
                )
            )
            n += await self._trim_unauthenticated(conn, now)
            return n

        total += await self._run(tail, "purge expired keys and rejected requests")
        return total


def _rowcount(status: str) -> int:
    """``DELETE 12`` → 12."""
    try:
        return int(status.rsplit(" ", 1)[-1])
    except (ValueError, IndexError):
        return 0


class _Offset:
    """A row viewed from column ``offset`` on (the request half of a claim row)."""

    __slots__ = ("_offset", "_row")

    def __init__(self, row: Record, offset: int) -> None:
        self._row = row
        self._offset = offset

    def __getitem__(self, index: int) -> Any:
        return self._row[self._offset + index]
