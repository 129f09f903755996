"""PostgreSQL backend (asyncpg): for several hosts and workers on one database.

What this module owns: the pool and its retries, claims and lease reaping, ending an attempt,
replaying a request, appending logs, the schema lock. The group-commit writer is
``_pg_batcher``, ``LISTEN`` is ``_pg_listener``, error mapping and the plan driver are
``_pg_common``; the queries both stores run the same way are ``_queries``.

Ingest
    A writer task batches queued ingests (and rejected-request records): everything that queued
    while the previous batch was committing goes into ONE statement (``_pg_batcher``), and
    callers are released only after the commit.

Claims
    ``UPDATE runs … FROM (SELECT id … FOR UPDATE SKIP LOCKED) … RETURNING``: concurrent claimers
    (in any process) never get the same run. Expired leases are reaped first (attempt ``lost``,
    run requeued, or failed when no attempts are left).

Wake-ups
    ``LISTEN hookpoint_runs`` on a dedicated connection (``_pg_listener``); ingest, replay and
    release send ``pg_notify`` inside their transaction, so idle workers in every process wake
    at commit.

Failures
    Connection errors, shutdowns, read-only servers and full disks raise StoreUnavailable. After a
    connection error the pool's connections are expired, so the next call reconnects: the host
    recovers by itself when the server comes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar, Unpack
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from .._errors import ConfigError, StoreError, StoreUnavailable
from . import _migrations
from ._base import (
    ClaimedRun,
    IngestResult,
    NewRequest,
    RejectedRequest,
    new_id,
)
from ._codec import encode_headers
from ._pg_batcher import WRITER_SETTINGS, Batcher, Finish, Ingest, Logs, Rejected
from ._pg_common import (
    CHANNEL,
    POSTGRES,
    Conn,
    Record,
    drive,
    is_connection_error,
    is_retryable,
    map_error,
)
from ._pg_listener import Listener
from ._queries import Claim, EndAttempt, migrate, rooms, running_counts
from ._sql import (
    NEW_RUN_COLUMNS,
    RUN_FIELDS,
    Change,
    Fetch,
    Params,
    Plan,
    RunSpec,
    prefixed,
    rejected_row,
    request_columns,
    request_from_row,
    run_from_row,
)
from ._sqlstore import SQLStore, StoreOptions

__all__ = ["CHANNEL", "PostgresStore"]

log = logging.getLogger("hookpoint.store.postgres")

T = TypeVar("T")
_REAP_LIMIT = 1000


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

# Reap and claim run in one transaction with these planner settings. With statistics taken
# before a burst of queued runs (a fresh store, or one that was idle) PostgreSQL estimated a
# handful of due runs and chose a bitmap scan (runs_due AND-ed with runs_job for the job
# filter) followed by a sort of the whole queue to take the first few: 27-38 ms a claim with
# 48k queued, 42 runs/s for a worker at concurrency 1 (docs/benchmarks.md, "Runs";
# tests/store/test_pg_claim_plan.py). The queue is only ever read in runs_due's (and
# runs_leases') order, so walking the index is right whatever the statistics say.
_QUEUE_PLANNER: Final = "SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off"

_BEGIN_QUEUE: Final = f"BEGIN; {_QUEUE_PLANNER}"
"""``BEGIN`` and the planner settings in one round trip (a simple query: nothing to plan)."""

_REAP_EVERY: Final = 0.1
"""Seconds between the reaps a claim makes on its own (``claim_runs(now=...)`` always reaps):
a lease that expired is taken over at most this much later, and the claims of a busy worker
skip a round trip."""

_CLAIM_SQL: Final = f"""
WITH due AS (
    SELECT id FROM runs
    WHERE status = 'queued' AND next_attempt_at <= $1
      AND ($5::text[] IS NULL OR job_id = ANY($5::text[]))
      AND ($6::text[] IS NULL OR job_id <> ALL($6::text[]))
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


_CLAIM_LOCK_SQL: Final = (
    "SELECT pg_advisory_xact_lock(hashtext('hookpoint.claim.' || current_schema() || '.' || $1))"
)
"""Serialises the claims of one globally limited job (``claim_runs(global_limits=...)``) over
every connection to this database, until the claiming transaction ends."""


def end_attempt_sql(run_set: str, *, notify: bool = False) -> str:
    """Finish/fail/release: ``$1`` run id, ``$2`` worker, ``$3`` attempt, ``$4`` now, ``$5``
    attempt status, ``$6`` error, ``$7`` detail, ``$8…`` whatever ``run_set`` uses. Ownership
    is ``lease_owner`` + ``attempt`` (a lease exists exactly while running), looked up by id."""
    notify_sql = f", max({POSTGRES.notify}::text)" if notify else ""
    return f"""
    WITH r AS (
        UPDATE runs SET {run_set}, lease_owner = NULL, lease_expires_at = NULL, updated_at = $4
        WHERE id = $1 AND lease_owner = $2 AND attempt = $3
        RETURNING id
    ), a AS (
        UPDATE attempts SET status = $5, finished_at = $4, error = $6, detail = $7::json
        WHERE run_id = $1 AND number = $3 AND EXISTS (SELECT 1 FROM r)
    )
    SELECT count(*){notify_sql} FROM r
    """


def _claimed(rows: list[Any]) -> list[ClaimedRun]:
    width = len(RUN_FIELDS)
    claimed = []
    for row in rows:
        run = run_from_row(row)
        req = request_from_row(_Offset(row, width))
        claimed.append(ClaimedRun(run=run, request=req, attempt=run.attempt))
    return claimed


class PostgresStore(SQLStore):
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

    dialect = POSTGRES
    log = log

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
        **options: Unpack[StoreOptions],
    ) -> None:
        super().__init__(**options)
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
        self._pool: asyncpg.Pool[Record] | None = None
        self._batcher: Batcher | None = None
        self._next_reap = 0.0
        """``time.monotonic()`` of the next reap a claim makes on its own (``_claim_unlimited``)."""
        self._listener: Listener | None = None

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
        self._batcher = Batcher(
            connect=self._connect_writer,
            stats=self.stats,
            max_batch=self.max_batch,
            wake=self._wake,
            connection_lost=self._connection_lost,
            trims=self._trims,
            trim=lambda conn: drive(conn, self._trim_plan(time.time())),
        )
        if self.listen:
            self._listener = Listener(self._connect, self._wake)
            self._listener.ensure()
            await self._listener.started()

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._cancel_timers()
        listener, self._listener = self._listener, None
        if listener is not None:
            await listener.close()
        batcher, self._batcher = self._batcher, None
        if batcher is not None:
            await batcher.stop()
        pool, self._pool = self._pool, None
        if pool is not None:
            try:
                await asyncio.wait_for(pool.close(), 10)
            except Exception:
                pool.terminate()
        self._wake.set()

    async def upgrade(self) -> list[str]:
        # One upgrade at a time per schema, whatever the number of hosts starting at once.
        prelude: list[Fetch | Change] = [
            Fetch(
                "SELECT pg_advisory_xact_lock(hashtext('hookpoint.schema_migrations.' || "
                "coalesce($1::text, current_schema(), '')))",
                (self.schema,),
            )
        ]
        if self.schema:
            prelude.append(Change(f"CREATE SCHEMA IF NOT EXISTS {_quote_ident(self.schema)}", ()))

        def plan() -> Plan[list[str]]:
            table = _migrations.SCHEMA_MIGRATIONS_POSTGRES
            return migrate(POSTGRES, prelude, table, lambda m: m.postgres)

        done = await self._write_plan(plan, "upgrade the schema", atomic=True)
        return self._schema_upgraded(done, self.url)

    async def _check_schema(self) -> None:
        async def op(conn: Conn) -> set[str]:
            exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
            if not exists:
                return set()
            return {r[0] for r in await conn.fetch("SELECT version FROM schema_migrations")}

        self._schema_found(await self._run(op, "read the schema version", read=True))

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

    async def _connect(self) -> asyncpg.Connection[Record]:
        """A connection of our own, outside the pool (the listener's)."""
        return await asyncpg.connect(self.dsn, **self._connect_kwargs)

    async def _connect_writer(self) -> asyncpg.Connection[Record]:
        """The group-commit writer's connection: its statements keep one plan each
        (``WRITER_SETTINGS``, see ``_pg_batcher``)."""
        kwargs = self._connect_kwargs
        settings = {**kwargs["server_settings"], **WRITER_SETTINGS}
        return await asyncpg.connect(self.dsn, **{**kwargs, "server_settings": settings})

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
                elif is_retryable(exc) and tries < 4:
                    await asyncio.sleep(0.005 * tries)
                    continue
                raise map_error(exc, doing) from exc

    async def _read_plan(
        self, make: Callable[[], Plan[T]], doing: str, *, snapshot: bool = False
    ) -> T:
        snap = {"isolation": "repeatable_read", "readonly": True} if snapshot else None
        return await self._run(lambda conn: drive(conn, make(), snap), doing, read=True)

    async def _write_plan(
        self, make: Callable[[], Plan[T]], doing: str, *, atomic: bool = False
    ) -> T:
        return await self._run(lambda conn: drive(conn, make(), {} if atomic else None), doing)

    # -- the group-commit writer (``_pg_batcher``) -------------------------------------------------
    async def _enqueue(self, item: Ingest | Rejected | Logs | Finish) -> Any:
        self._require_pool()
        batcher = self._batcher
        if batcher is None:
            raise StoreUnavailable("the store is not open")
        if not self.group_commit:
            return await self._commit_alone_on_pool(batcher, item)
        return await batcher.submit(item)

    async def _commit_alone_on_pool(
        self, batcher: Batcher, item: Ingest | Rejected | Logs | Finish
    ) -> Any:
        """group_commit=False: one transaction per call on the pool (benchmark baseline)."""

        async def op(conn: Conn) -> None:
            await batcher.commit_batch(conn, [item])

        await self._run(op, "ingest")
        self.stats.commits += 1
        if isinstance(item, Ingest):
            self.stats.ingests += 1
        return batcher.result(item)

    def _batch_future(self) -> asyncio.Future[Any]:
        """The future a caller of the group-commit writer waits on (StoreUnavailable when the
        store is closed or not open)."""
        self._require_pool()
        loop = self._loop
        if loop is None or self._closed:
            raise StoreUnavailable("the store is not open")
        return loop.create_future()

    # -- ingest ------------------------------------------------------------------------------------
    async def ingest(self, request: NewRequest) -> IngestResult:
        future = self._batch_future()
        trim = request.status == "handshake" and self._trims.due()  # capped like rejected ones
        item = Ingest(
            req=request,
            headers=encode_headers(request.headers),
            body=bytes(request.body),
            run_ids=tuple(new_id() for _ in request.runs),
            future=future,
            trim=trim,
        )
        result: IngestResult = await self._enqueue(item)
        self._ingested(request, result)
        if result.run_ids and not self.group_commit:
            self._wake.set()
        return result

    async def record_rejected(self, rejected: RejectedRequest) -> None:
        future = self._batch_future()
        trim = self._trims.due()
        row = rejected_row(rejected)
        await self._enqueue(Rejected(row=row, trim=trim, future=future))

    # -- runs --------------------------------------------------------------------------------------
    async def _claim(self, claim: Claim) -> list[ClaimedRun]:
        async def claim_rows(conn: Conn, at: float, limit: int, jobs: Any, excluded: Any) -> Any:
            expires = at + claim.lease_seconds
            return await conn.fetch(_CLAIM_SQL, at, limit, claim.worker_id, expires, jobs, excluded)

        async def op(conn: Conn) -> list[ClaimedRun]:
            at = claim.at()
            rows: list[Any] = []
            if not claim.limited():
                jobs, excluded = claim.unlimited()
                if jobs is None or jobs:
                    rows = await self._claim_unlimited(conn, claim, at, jobs, excluded or None)
                return _claimed(rows)
            # One transaction: the planner settings hold for the reap and the claims (walk the
            # queue index, whatever the statistics say), and each limited job's advisory lock
            # (taken in a fixed order: no deadlock) is held from its count to the commit of the
            # claim, so a claimer in another process counts only after our claimed runs are
            # visible as running.
            async with conn.transaction():
                await conn.execute(_QUEUE_PLANNER)
                await conn.fetchval(_REAP_SQL, at)
                limited = claim.limited()
                jobs, excluded = claim.unlimited()
                if limited:
                    for job in sorted(limited):
                        await conn.execute(_CLAIM_LOCK_SQL, job)
                    running = await drive(conn, running_counts(POSTGRES, sorted(limited), at))
                    for job, room in rooms(limited, running, claim.limit).items():
                        left = claim.limit - len(rows)
                        if left > 0:
                            rows += await claim_rows(conn, at, min(room, left), [job], None)
                left = claim.limit - len(rows)
                if left > 0 and (jobs is None or jobs):
                    rows += await claim_rows(conn, at, left, jobs, excluded or None)
            return _claimed(rows)

        return await self._run(op, "claim runs")

    async def _claim_unlimited(
        self, conn: Conn, claim: Claim, at: float, jobs: Any, excluded: Any
    ) -> list[Any]:
        """A claim without globally limited jobs (the common one): ``BEGIN`` with the planner
        settings in one round trip, the reap only every ``_REAP_EVERY`` seconds, the claim,
        ``COMMIT`` - three round trips where it took five. A worker that shares the host's event
        loop waits for the loop to read each answer, so under load every round trip costs it
        milliseconds (docs/benchmarks.md, "Runs")."""
        now = time.monotonic()
        reap = claim.now is not None or now >= self._next_reap
        try:
            await conn.execute(_BEGIN_QUEUE)
            if reap:
                reaped = await conn.fetchval(_REAP_SQL, at)
                # a full page of expired leases: there may be more, reap again next time
                self._next_reap = now + (0.0 if reaped >= _REAP_LIMIT else _REAP_EVERY)
            rows = await conn.fetch(
                _CLAIM_SQL,
                at,
                claim.limit,
                claim.worker_id,
                at + claim.lease_seconds,
                jobs,
                excluded,
            )
        except BaseException:
            with contextlib.suppress(Exception):
                await conn.execute("ROLLBACK")
            raise
        await conn.execute("COMMIT")
        return list(rows)

    async def _end_attempt(self, end: EndAttempt, doing: str) -> bool:
        """One statement (``end_attempt_sql``): one round trip on the worker's path; a run due
        now is announced to the workers of every process (NOTIFY). A succeeded attempt, the
        common end, goes with the group-commit writer's next batch instead (``Finish``)."""
        if end.status == "succeeded" and end.output is not None:
            finish = Finish(
                run_id=end.run_id,
                worker_id=end.worker_id,
                attempt=end.attempt,
                output=end.output,
                detail=end.detail,
                future=self._batch_future(),
            )
            return bool(await self._enqueue(finish))

        async def op(conn: Conn) -> bool:
            now = time.time()
            params = Params("dollar", start=7)
            sql = end_attempt_sql(end.run_set(POSTGRES, params, now), notify=end.due_now)
            row = await conn.fetchrow(
                sql,
                end.run_id,
                end.worker_id,
                end.attempt,
                now,
                end.attempt_status,
                end.error,
                end.detail,
                *params.values,
            )
            return bool(row and row[0])

        return await self._run(op, doing)

    async def wait_for_runs(self, timeout: float) -> None:
        self._require_pool()
        if self._listener is not None:
            self._listener.ensure()
        if self._wake.is_set():
            self._wake.clear()
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)
        self._wake.clear()

    # -- run io ------------------------------------------------------------------------------------
    async def _append_logs(self, rows: list[tuple[Any, ...]]) -> None:
        """With the group-commit writer's next batch (``_pg_batcher.Logs``): the rows as arrays,
        in their order (``WITH ORDINALITY``), in the batch's one statement."""
        await self._enqueue(Logs(rows=rows, future=self._batch_future()))

    async def _replay_request(self, request_id: str, specs: list[RunSpec]) -> bool:
        """One statement: the request, the new runs and their NOTIFY."""

        async def op(conn: Conn) -> bool:
            now = time.time()
            row = await conn.fetchrow(
                f"""
                WITH q AS (SELECT id, endpoint_id, test FROM requests WHERE id = $1),
                n AS (
                    INSERT INTO runs ({NEW_RUN_COLUMNS})
                    SELECT u.id, q.id, q.endpoint_id, u.job_id, u.job_version, 'queued', 0,
                        u.max_attempts, $2, $2, $2, q.test
                    FROM q, unnest($3::text[], $4::text[], $5::text[], $6::int4[])
                        AS u(id, job_id, job_version, max_attempts)
                    RETURNING id
                )
                SELECT (SELECT count(*) FROM q), (SELECT count(*) FROM n),
                    CASE WHEN EXISTS (SELECT 1 FROM n)
                        THEN {POSTGRES.notify}::text END
                """,
                request_id,
                now,
                [s[0] for s in specs],
                [s[1] for s in specs],
                [s[2] for s in specs],
                [s[3] for s in specs],
            )
            return bool(row and row[0])

        return await self._run(op, "replay a request")


class _Offset:
    """A row viewed from column ``offset`` on (the request half of a claim row)."""

    __slots__ = ("_offset", "_row")

    def __init__(self, row: Record, offset: int) -> None:
        self._row = row
        self._offset = offset

    def __getitem__(self, index: int) -> Any:
        return self._row[self._offset + index]
