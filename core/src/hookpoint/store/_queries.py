"""The queries both stores run the same way, written once as plans (see ``_sql.Plan``).

A plan is a generator: it yields each statement (:class:`~._sql.Fetch` for rows,
:class:`~._sql.Change` for a count of changed rows) and is sent its result, so the logic
between statements (what counts as busy, which attempt a cancel ends, where a purge goes on)
is the same code on both backends. It does no I/O: ``SQLiteStore`` drives it on the writer or a
reader thread, ``PostgresStore`` on a pooled connection (in a transaction where the backend
needs one). What the dialects say differently comes from the :class:`~._sql.Dialect`.

Not here, because the backends do them differently on purpose: ingest (SQLite's writer batch
statements, PostgreSQL's batcher), claims and lease reaping (SQLite's ``INDEXED BY`` loop in
the writer, PostgreSQL's ``FOR UPDATE SKIP LOCKED`` statement), ending an attempt (two
statements in SQLite's writer transaction; one data-modifying CTE, one round trip, in
PostgreSQL), replaying a request and appending logs (PostgreSQL binds arrays: one statement).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, TypeVar

from .._errors import StoreError
from ._base import (
    BULK_NOTES_KEPT,
    BULK_RUN_IDS_KEPT,
    HOUR,
    REQUEST_OUTCOMES,
    RUN_STATUSES,
    AlertInputs,
    AlertMark,
    Attempt,
    BulkAction,
    BulkStatus,
    DeadRuns,
    FeedEntry,
    FeedPage,
    HourlyActivity,
    LogLine,
    Matches,
    NewBulkAction,
    Page,
    QueueStats,
    RequestQuery,
    RunQuery,
    RunRecord,
    StoredRequest,
)
from ._codec import decode_json, encode_json
from ._migrations import Migration, check_not_newer, pending
from ._sql import (
    ACTIVE,
    ATTEMPT_COLUMNS,
    BULK_COLUMNS,
    FINAL,
    LOG_COLUMNS,
    REJECTED_COLUMNS,
    RUN_COLUMNS,
    Change,
    Dialect,
    Fetch,
    Params,
    Plan,
    attempt_from_row,
    bulk_from_row,
    feed_cursor,
    log_from_row,
    merge_request_pages,
    page_limit,
    page_of,
    rejected_from_row,
    request_columns,
    request_from_row,
    request_list_sql,
    request_tables,
    run_from_row,
    run_list_sql,
)

__all__ = [
    "MATCH_PAGE",
    "PURGE_CHUNK",
    "Claim",
    "EndAttempt",
    "alert_inputs",
    "begin_bulk_action",
    "cancel_run",
    "create_session",
    "end_bulk_action",
    "failed",
    "finished",
    "get_bulk_action",
    "get_request",
    "get_run",
    "get_task_result",
    "heartbeat",
    "hourly_activity",
    "list_attempts",
    "list_bulk_actions",
    "list_logs",
    "list_requests",
    "list_runs",
    "matches",
    "migrate",
    "purge_chunk",
    "purge_tail",
    "queue_stats",
    "read_feed",
    "released",
    "replay_run",
    "replay_runs",
    "reserve_slot",
    "revoke_session",
    "rooms",
    "running_counts",
    "save_task_result",
    "session_active",
    "swap_alert_mark",
    "trim_unauthenticated",
]

PURGE_CHUNK: Final = 500
"""Requests a purge looks at per transaction."""
DEAD_RUNS_LISTED: Final = 200
"""Latest dead runs an alert pass reads to name each job's latest one."""
MATCH_PAGE: Final = 1000
"""Rows per listing page when ``matches`` pages through every match."""

Q = TypeVar("Q", RunQuery, RequestQuery)


# -- schema --------------------------------------------------------------------------------------
def migrate(
    d: Dialect,
    prelude: Sequence[Fetch | Change],
    table: str,
    statements: Callable[[Migration], Sequence[str]],
) -> Plan[list[str]]:
    """Apply the pending migrations (one transaction); the versions applied. ``prelude``: what
    the backend runs first (PostgreSQL: a lock, the schema); ``table``: the DDL of
    ``schema_migrations``; ``statements``: a migration's DDL in this dialect."""
    for step in prelude:  # not ``yield from``: a list cannot be sent the steps' results
        _ = yield step
    yield Change(table, ())
    applied = {r[0] for r in (yield Fetch("SELECT version FROM schema_migrations", ()))}
    problem = check_not_newer(applied)
    if problem:
        raise StoreError(problem)
    done: list[str] = []
    for migration in pending(applied):
        for statement in statements(migration):
            yield Change(statement, ())
        p = d.params()
        yield Change(
            "INSERT INTO schema_migrations (version, description, applied_at) VALUES "
            f"({p.add(migration.version)}, {p.add(migration.description)}, {p.add(time.time())})",
            p.values,
        )
        done.append(migration.version)
    return done


# -- reads ---------------------------------------------------------------------------------------
def _value(sql: str, values: Sequence[Any] = ()) -> Plan[Any]:
    """The first column of the first row ``sql`` returns."""
    rows = yield Fetch(sql, values)
    return rows[0][0]


def get_request(d: Dialect, request_id: str) -> Plan[StoredRequest | None]:
    p = d.params()
    sql = f"SELECT {request_columns()} FROM requests WHERE id = {p.add(request_id)}"
    found = yield Fetch(sql, p.values)
    if found:
        return request_from_row(found[0])
    p = d.params()
    sql = f"SELECT {REJECTED_COLUMNS} FROM rejected_requests WHERE id = {p.add(request_id)}"
    found = yield Fetch(sql, p.values)
    return rejected_from_row(found[0]) if found else None


def list_requests(d: Dialect, query: RequestQuery) -> Plan[Page]:
    want_accepted, want_rejected = request_tables(query)
    accepted: list[StoredRequest] = []
    rejected: list[StoredRequest] = []
    limit = page_limit(query.limit)
    if want_accepted:
        p = d.params()
        sql, limit = request_list_sql(query, p, rejected=False)
        accepted = [request_from_row(r) for r in (yield Fetch(sql, p.values))]
    if want_rejected:
        p = d.params()
        sql, limit = request_list_sql(query, p, rejected=True)
        rejected = [rejected_from_row(r) for r in (yield Fetch(sql, p.values))]
    return merge_request_pages(limit, accepted, rejected)


def read_feed(
    d: Dialect,
    endpoint_id: str,
    after: tuple[int, str] | None,
    since: float | None,
    limit: int,
    max_bytes: int,
) -> Plan[FeedPage]:
    """``Store.read_feed``; run it in one snapshot. First the places and sizes of up to
    ``limit`` deliveries (no bodies), then the rows of those that fit the byte budget: a page
    never reads a body it will not return."""
    f = d.feed
    if after is None and since is None:
        head = yield from _value(f.head)
        return FeedPage((), feed_cursor(int(head), ""), False)
    p = d.params()
    where = [f"endpoint_id = {p.add(endpoint_id)}", "status = 'accepted'"]
    if after is not None:
        key, request_id = after
        where.append(
            f"{f.key} >= {f.bind(p, key)} "
            f"AND ({f.key} > {f.bind(p, key)} OR id > {p.add(request_id)})"
        )
    if since is not None:
        where.append(f"received_at >= {p.add(since)}")
    if f.settled:
        where.append(f.settled)
    # The key is selected under a name of its own: a bare ORDER BY name that is also an
    # output column's means that column (https://www.postgresql.org/docs/current/
    # sql-select.html#SQL-ORDERBY), and PostgreSQL's is text (``tx::text``): it sorted "100"
    # before "99", skipping rows at a power of ten, and sorted every row after the cursor
    # instead of walking requests_feed (tests/store/test_feed.py).
    # SQLite, which has no statistics to choose by: after a cursor, the cursor's place in
    # requests_feed; from a time (a new listener: the moment it started), the requests
    # received since then, sorted. requests_feed from the endpoint's first delivery read
    # every row before ``since`` for its time: a listener starting now read them all.
    index = "requests_feed" if after is not None else "requests_received"
    places = yield Fetch(
        f"SELECT {f.key_text} AS place, id, body_size FROM requests"
        f"{d.indexed_by(index)} WHERE {' AND '.join(where)} "
        f"ORDER BY {f.key}, id LIMIT {p.add(limit + 1)}",
        p.values,
    )
    taken: list[tuple[int, str]] = []
    used = 0
    for row_key, row_id, size in places[:limit]:
        if taken and used + int(size) > max_bytes:
            break
        taken.append((int(row_key), str(row_id)))
        used += int(size)
    if not taken:
        head = (int((yield from _value(f.head))), "")
        return FeedPage((), feed_cursor(*max(head, after or head)), False)
    rows: dict[str, StoredRequest] = {}
    for part in d.chunks([request_id for _, request_id in taken]):
        p = d.params()
        found = yield Fetch(
            f"SELECT {request_columns()} FROM requests WHERE id {d.in_list(p, part)}", p.values
        )
        rows.update((r[0], request_from_row(r)) for r in found)
    entries = tuple(
        FeedEntry(feed_cursor(key, request_id), rows[request_id])
        for key, request_id in taken
        if request_id in rows
    )
    return FeedPage(entries, feed_cursor(*taken[-1]), len(places) > len(taken))


def get_run(d: Dialect, run_id: str) -> Plan[RunRecord | None]:
    p = d.params()
    found = yield Fetch(f"SELECT {RUN_COLUMNS} FROM runs WHERE id = {p.add(run_id)}", p.values)
    return run_from_row(found[0]) if found else None


def list_runs(d: Dialect, query: RunQuery) -> Plan[Page]:
    p = d.params()
    sql, limit = run_list_sql(query, p, d)
    return page_of([run_from_row(r) for r in (yield Fetch(sql, p.values))], limit)


def matches(
    d: Dialect,
    query: Q,
    listing: Callable[[Dialect, Q], Plan[Page]],
    most: int,
    sample: int,
) -> Plan[Matches]:
    """Every item the ``listing`` plan (``list_runs``, ``list_requests``) pages through for
    ``query``, at most ``most``: the listing's own statements, page after page, so a bulk
    action selects exactly what the listing shows. Run it in one snapshot."""
    ids: list[str] = []
    first: tuple[Any, ...] = ()
    page_query = replace(query, limit=MATCH_PAGE)
    while True:
        page = yield from listing(d, page_query)
        if len(first) < sample:
            first += page.items[: sample - len(first)]
        ids.extend(item.id for item in page.items)
        if len(ids) > most:
            return Matches(ids=tuple(ids[:most]), sample=first, more=True)
        if page.next_before_id is None:
            return Matches(ids=tuple(ids), sample=first)
        page_query = replace(page_query, before_id=page.next_before_id)


def get_bulk_action(d: Dialect, action_id: str) -> Plan[BulkAction | None]:
    p = d.params()
    sql = f"SELECT {BULK_COLUMNS} FROM bulk_actions WHERE id = {p.add(action_id)}"
    found = yield Fetch(sql, p.values)
    return bulk_from_row(found[0]) if found else None


def list_bulk_actions(d: Dialect, limit: int, before_id: str | None) -> Plan[Page]:
    p = d.params()
    limit = page_limit(limit)
    cond = "" if before_id is None else f" WHERE id < {p.add(before_id)}"
    sql = f"SELECT {BULK_COLUMNS} FROM bulk_actions{cond} ORDER BY id DESC LIMIT {p.add(limit + 1)}"
    return page_of([bulk_from_row(r) for r in (yield Fetch(sql, p.values))], limit)


def list_attempts(d: Dialect, run_id: str) -> Plan[list[Attempt]]:
    p = d.params()
    sql = f"SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE run_id = {p.add(run_id)} ORDER BY number"
    return [attempt_from_row(r) for r in (yield Fetch(sql, p.values))]


def list_logs(d: Dialect, run_id: str) -> Plan[list[LogLine]]:
    p = d.params()
    sql = f"SELECT {LOG_COLUMNS} FROM run_logs WHERE run_id = {p.add(run_id)} ORDER BY id"
    return [log_from_row(r) for r in (yield Fetch(sql, p.values))]


def queue_stats(d: Dialect, now: float, finals: bool = True) -> Plan[QueueStats]:
    """Run it in one snapshot (the backends' ``snapshot=True``). Each status is counted
    through its own partial index: a GROUP BY over the whole table sorted every run in memory
    on every /metrics scrape, and SQLite's reader heap grew with the table (the soak's memory
    creep under a run backlog). The final statuses' counts still read every finished run
    (PostgreSQL scans the table for them): ``finals=False`` leaves them out."""
    due, leases, final = (d.indexed_by(i) for i in ("runs_due", "runs_leases", "runs_final"))
    queued = yield from _value(f"SELECT count(*) FROM runs{due} WHERE status = 'queued'")
    running = yield from _value(f"SELECT count(*) FROM runs{leases} WHERE status = 'running'")
    oldest = yield from _oldest_due(d, now)
    by_status: dict[str, int] = {
        status: int(count) for status, count in (("queued", queued), ("running", running)) if count
    }
    if finals:
        statuses = ", ".join(f"'{s}'" for s in FINAL)
        rows = yield Fetch(
            f"SELECT status, count(*) FROM runs{final} WHERE status IN ({statuses}) "
            "GROUP BY status",
            (),
        )
        by_status.update((str(r[0]), int(r[1])) for r in rows)
    return QueueStats(
        queued=int(queued),
        running=int(running),
        oldest_queued_age=oldest,
        by_status=by_status,
    )


def _oldest_due(d: Dialect, now: float) -> Plan[float]:
    """Seconds the oldest due queued run has waited at ``now`` (0 when none is due): one step
    along ``runs_due``."""
    p = d.params()
    oldest = yield from _value(
        f"SELECT min(next_attempt_at) FROM runs{d.indexed_by('runs_due')} "
        f"WHERE status = 'queued' AND next_attempt_at <= {p.add(now)}",
        p.values,
    )
    return max(0.0, now - float(oldest)) if oldest is not None else 0.0


def alert_inputs(d: Dialect, now: float, window: float, rate_period: float) -> Plan[AlertInputs]:
    """What one alert pass reads (``Store.alert_inputs``): each statement reads an index range
    of recent rows (``runs_dead``, ``rejected_received``, one step of ``runs_due``) and the
    small ``alert_state`` table, so a pass costs the same however big the store is."""
    dead = f"runs{d.indexed_by('runs_dead')} WHERE status = 'failed' AND NOT test AND updated_at > "
    p = d.params()
    counts = yield Fetch(
        f"SELECT job_id, count(*) FROM {dead}{p.add(now - window)} GROUP BY job_id", p.values
    )
    p = d.params()
    latest = yield Fetch(
        f"SELECT job_id, id, endpoint_id, last_error, updated_at FROM {dead}"
        f"{p.add(now - window)} ORDER BY updated_at DESC LIMIT {DEAD_RUNS_LISTED}",
        p.values,
    )
    last: dict[str, Any] = {}
    for row in latest:
        last.setdefault(row[0], row)
    dead_runs = []
    for job_id, count in counts:
        row = last.get(job_id)
        if row is None:  # past the latest rows read: name the job's own latest
            p = d.params()
            found = yield Fetch(
                f"SELECT job_id, id, endpoint_id, last_error, updated_at FROM {dead}"
                f"{p.add(now - window)} AND job_id = {p.add(job_id)} "
                "ORDER BY updated_at DESC LIMIT 1",
                p.values,
            )
            if not found:
                continue
            row = found[0]
        dead_runs.append(
            DeadRuns(str(job_id), int(count), str(row[1]), str(row[2]), row[3], float(row[4]))
        )
    dead_runs.sort(key=lambda r: (-r.count, r.job_id))
    p = d.params()
    # INDEXED BY (SQLite): to group without a sort it read every rejected request kept
    # through rejected_endpoint, not the last minute of rejected_received
    rejected = yield Fetch(
        f"SELECT endpoint_id, count(*) FROM rejected_requests{d.indexed_by('rejected_received')} "
        f"WHERE received_at > {p.add(now - rate_period)} GROUP BY endpoint_id",
        p.values,
    )
    oldest = yield from _oldest_due(d, now)
    marks = yield Fetch(
        "SELECT condition, key, state, notified_at, changed_at FROM alert_state", ()
    )
    return AlertInputs(
        dead_runs=tuple(dead_runs),
        rejected=tuple(sorted(((str(e), int(n)) for e, n in rejected), key=lambda x: -x[1])),
        oldest_queued_age=oldest,
        marks={(str(m[0]), str(m[1])): AlertMark(m[2], float(m[3]), float(m[4])) for m in marks},
    )


def hourly_activity(
    d: Dialect, since: float, hours: int, endpoint_ids: Sequence[str] | None
) -> Plan[dict[str, HourlyActivity]]:
    """Requests by outcome and runs by status per hour from ``since`` (a multiple of
    ``HOUR``), for ``hours`` hours: one statement of three grouped counts, each a range of the
    table's time index (``requests_received``, ``rejected_received``, ``runs_created``: their
    keys cover every column it reads, so SQLite reads no table row), grouped by the database.
    Only the counts come back."""
    until = since + hours * HOUR
    wanted = list(dict.fromkeys(endpoint_ids)) if endpoint_ids is not None else None
    # SQLite binds each value of an IN list: past its chunk, count every endpoint and keep
    # the wanted ones (what comes back is counts, a few per endpoint and hour, never rows)
    in_sql = wanted is not None and (d.list_chunk is None or len(wanted) <= d.list_chunk)
    if wanted is not None and not wanted:
        return {}
    p = d.params()

    def counts(kind: str, table: str, index: str, at: str, outcome: str) -> str:
        where = f"{at} >= {p.add(since)} AND {at} < {p.add(until)}"
        if in_sql:
            assert wanted is not None
            where += f" AND endpoint_id {d.in_list(p, wanted)}"
        hour = d.floor.format(f"{at} / {HOUR}")
        # INDEXED BY (SQLite): without statistics (the store never runs ANALYZE) the
        # endpoint_id IN term drew SQLite to requests_endpoint / runs_endpoint, a walk through
        # each endpoint's whole history with a table read per row for its time
        return (
            f"SELECT '{kind}', endpoint_id, {hour}, {outcome}, count(*) "
            f"FROM {table}{d.indexed_by(index)} WHERE {where} GROUP BY 2, 3, 4"
        )

    sql = " UNION ALL ".join(
        (
            # a test delivery is stored accepted; it is counted apart from the sender's traffic
            counts(
                "request",
                "requests",
                "requests_received",
                "received_at",
                "CASE WHEN test THEN 'test' ELSE status END",
            ),
            counts(
                "request", "rejected_requests", "rejected_received", "received_at", "'rejected'"
            ),
            counts("run", "runs", "runs_created", "created_at", "status"),
        )
    )
    rows = yield Fetch(sql, p.values)
    first = int(since) // HOUR

    def zeros(keys: Sequence[str]) -> dict[str, list[int]]:
        return {k: [0] * hours for k in keys}

    found: dict[str, tuple[dict[str, list[int]], dict[str, list[int]]]] = {
        e: (zeros(REQUEST_OUTCOMES), zeros(RUN_STATUSES)) for e in wanted or ()
    }
    for kind, endpoint_id, hour, status, n in rows:
        if wanted is not None and endpoint_id not in found:
            continue
        slot = int(hour) - first
        tables = found.get(endpoint_id)
        if tables is None:
            tables = found[endpoint_id] = (zeros(REQUEST_OUTCOMES), zeros(RUN_STATUSES))
        series = tables[0 if kind == "request" else 1].get(status)
        if series is not None and 0 <= slot < hours:
            series[slot] += int(n)
    starts = tuple(float((first + i) * HOUR) for i in range(hours))
    return {
        e: HourlyActivity(
            endpoint_id=e,
            hours=starts,
            requests={k: tuple(v) for k, v in req.items()},
            runs={k: tuple(v) for k, v in run.items()},
        )
        for e, (req, run) in found.items()
    }


def get_task_result(d: Dialect, run_id: str, key: str) -> Plan[tuple[bool, Any]]:
    p = d.params()
    sql = f"SELECT value FROM task_results WHERE run_id = {p.add(run_id)} AND key = {p.add(key)}"
    found = yield Fetch(sql, p.values)
    return (True, decode_json(found[0][0])) if found else (False, None)


def session_active(d: Dialect, key: str, now: float) -> Plan[bool]:
    p = d.params()
    sql = f"SELECT 1 FROM dashboard_sessions WHERE key = {p.add(key)} AND expires_at > {p.add(now)}"
    return bool((yield Fetch(sql, p.values)))


# -- writes --------------------------------------------------------------------------------------
def swap_alert_mark(
    d: Dialect, condition: str, key: str, expected: AlertMark | None, new: AlertMark
) -> Plan[bool]:
    """Compare-and-set of one alert mark: an insert that does nothing when another host
    inserted first, or an update whose ``WHERE`` is the mark read (PostgreSQL re-checks it on
    the row a concurrent update left); True when this call changed it."""
    p = d.params()
    if expected is None:
        row = [p.add(v) for v in (condition, key, new.state, new.notified_at, new.changed_at)]
        changed = yield Change(
            "INSERT INTO alert_state (condition, key, state, notified_at, changed_at) VALUES "
            f"({', '.join(row)}) ON CONFLICT (condition, key) DO NOTHING",
            p.values,
        )
        return bool(changed)
    changed = yield Change(
        f"UPDATE alert_state SET state = {p.add(new.state)}, notified_at = "
        f"{p.add(new.notified_at)}, changed_at = {p.add(new.changed_at)} "
        f"WHERE condition = {p.add(condition)} AND key = {p.add(key)} "
        f"AND state = {p.add(expected.state)} AND notified_at = {p.add(expected.notified_at)} "
        f"AND changed_at = {p.add(expected.changed_at)}",
        p.values,
    )
    return bool(changed)


def heartbeat(d: Dialect, worker_id: str, run_ids: list[str], expires: float) -> Plan[set[str]]:
    owned: set[str] = set()
    for part in d.chunks(run_ids):
        p = d.params()
        # lease_owner is set exactly while running (a CHECK says so); no status term, which
        # could steer the planner to the runs_leases scan
        sql = (
            f"UPDATE runs SET lease_expires_at = {p.add(expires)} WHERE lease_owner = "
            f"{p.add(worker_id)} AND id {d.in_list(p, part)} RETURNING id"
        )
        owned.update(r[0] for r in (yield Fetch(sql, p.values)))
    return owned


def cancel_run(d: Dialect, run_id: str, now: float) -> Plan[bool]:
    """Cancel a queued or running run (one transaction); a running attempt ends ``failed``
    with the error ``cancelled``, and its worker learns it at its next heartbeat."""
    p = d.params()
    sql = f"SELECT status, attempt FROM runs WHERE id = {p.add(run_id)}{d.lock_rows}"
    found = yield Fetch(sql, p.values)
    if not found or found[0][0] not in ACTIVE:
        return False
    status, attempt = found[0]
    p = d.params()
    yield Change(
        "UPDATE runs SET status = 'cancelled', lease_owner = NULL, lease_expires_at = NULL, "
        f"next_attempt_at = NULL, updated_at = {p.add(now)} WHERE id = {p.add(run_id)}",
        p.values,
    )
    if status == "running":
        p = d.params()
        yield Change(
            f"UPDATE attempts SET status = 'failed', finished_at = {p.add(now)}, "
            f"error = 'cancelled' WHERE run_id = {p.add(run_id)} AND number = {p.add(attempt)} "
            "AND status = 'running'",
            p.values,
        )
    return True


def replay_run(d: Dialect, new_run_id: str, run_id: str, now: float) -> Plan[bool]:
    """Queue ``new_run_id`` as a new attempt series of ``run_id``; False when it is unknown."""
    p = d.params()
    new, at = p.add(new_run_id), [p.add(now) for _ in range(3)]
    sql = (
        "INSERT INTO runs (id, request_id, endpoint_id, job_id, job_version, status, attempt, "
        "max_attempts, created_at, updated_at, next_attempt_at, replay_of, test) "
        f"SELECT {new}, request_id, endpoint_id, job_id, job_version, 'queued', 0, "
        f"max_attempts, {', '.join(at)}, id, test FROM runs WHERE id = {p.add(run_id)}"
    )
    return bool((yield d.notifying(sql, p.values)))


def replay_runs(
    d: Dialect, pairs: Sequence[tuple[str, str]], now: float
) -> Plan[list[tuple[str, str]]]:
    """``replay_run`` of each ``(run id, new run id)`` pair; the pairs whose run exists. Run it
    as one transaction."""
    done: list[tuple[str, str]] = []
    for run_id, new_run_id in pairs:
        if (yield from replay_run(d, new_run_id, run_id, now)):
            done.append((run_id, new_run_id))
    return done


def begin_bulk_action(d: Dialect, a: NewBulkAction) -> Plan[tuple[BulkAction, bool]]:
    """Record a running bulk action unless its idempotency key is taken; the action recorded
    under the key, and whether it is this one."""
    p = d.params()
    values = ", ".join(
        [
            p.add(a.id),
            p.add(a.kind),
            p.add(a.idempotency_key),
            p.add(a.actor),
            p.add(a.client),
            d.json(p, encode_json(a.query)),
            p.add(a.snapshot),
            "'running'",
            p.add(a.matched),
            p.add(a.created_at),
        ]
    )
    inserted = yield Change(
        "INSERT INTO bulk_actions (id, kind, idempotency_key, actor, client, query, snapshot, "
        f"status, matched, created_at) VALUES ({values}) "
        "ON CONFLICT (idempotency_key) DO NOTHING",
        p.values,
    )
    p = d.params()
    found = yield Fetch(
        f"SELECT {BULK_COLUMNS} FROM bulk_actions "
        f"WHERE idempotency_key = {p.add(a.idempotency_key)}",
        p.values,
    )
    return bulk_from_row(found[0]), bool(inserted)


def end_bulk_action(
    d: Dialect,
    action_id: str,
    status: BulkStatus,
    counts: tuple[int, int, int],
    run_ids: Sequence[str],
    notes: Sequence[tuple[str, str]],
    error: str | None,
    now: float,
) -> Plan[None]:
    """``counts``: replayed, skipped, new runs."""
    replayed, skipped, new_runs = counts
    p = d.params()
    terms = ", ".join(
        [
            f"status = {p.add(status)}",
            f"replayed = {p.add(replayed)}",
            f"skipped = {p.add(skipped)}",
            f"new_runs = {p.add(new_runs)}",
            f"run_ids = {d.json(p, encode_json(list(run_ids[:BULK_RUN_IDS_KEPT])))}",
            f"notes = {d.json(p, encode_json([list(n) for n in notes[:BULK_NOTES_KEPT]]))}",
            f"error = {p.add(error)}",
            f"finished_at = {p.add(now)}",
        ]
    )
    yield Change(f"UPDATE bulk_actions SET {terms} WHERE id = {p.add(action_id)}", p.values)


def save_task_result(d: Dialect, run_id: str, key: str, encoded: str, now: float) -> Plan[None]:
    p = d.params()
    yield Change(
        "INSERT INTO task_results (run_id, key, value, saved_at) VALUES "
        f"({p.add(run_id)}, {p.add(key)}, {d.json(p, encoded)}, {p.add(now)}) "
        "ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value, "
        "saved_at = excluded.saved_at",
        p.values,
    )


def create_session(d: Dialect, key: str, expires_at: float, now: float) -> Plan[None]:
    """Record a session; sessions that have expired are removed meanwhile."""
    p = d.params()
    yield Change(f"DELETE FROM dashboard_sessions WHERE expires_at <= {p.add(now)}", p.values)
    p = d.params()
    yield Change(
        "INSERT INTO dashboard_sessions (key, created_at, expires_at) VALUES "
        f"({p.add(key)}, {p.add(now)}, {p.add(expires_at)}) "
        "ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at",
        p.values,
    )


def revoke_session(d: Dialect, key: str) -> Plan[None]:
    p = d.params()
    yield Change(f"DELETE FROM dashboard_sessions WHERE key = {p.add(key)}", p.values)


# -- claims and ending an attempt ----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Claim:
    """What ``claim_runs`` asked for (each backend claims its own way: ``_claim``)."""

    worker_id: str
    limit: int
    lease_seconds: float
    jobs: list[str] | None
    """Only runs of these jobs (``None``: any job)."""
    now: float | None
    """The time to claim at (``None``: the time the claim runs)."""
    limits: dict[str, int] | None = None
    """Job id → most runs of it running at once over every worker (``global_limits``)."""

    def at(self) -> float:
        return time.time() if self.now is None else self.now

    def limited(self) -> dict[str, int]:
        """The global limits of the jobs this claim may take (all of them for ``jobs=None``)."""
        if not self.limits:
            return {}
        if self.jobs is None:
            return dict(self.limits)
        return {job: n for job, n in self.limits.items() if job in self.jobs}

    def unlimited(self) -> tuple[list[str] | None, list[str]]:
        """``(jobs, excluded)``: the jobs claimed without a global limit (``None``: any job)
        and, for ``jobs=None``, the limited jobs the claim must leave out."""
        limited = self.limited()
        if self.jobs is None:
            return None, sorted(limited)
        return [job for job in self.jobs if job not in limited], []


def running_counts(d: Dialect, jobs: Sequence[str], now: float) -> Plan[dict[str, int]]:
    """How many runs of each of ``jobs`` are running with a lease that has not expired.

    Through ``runs_leases`` (running runs only), never ``runs_job`` (every run the job ever
    had): ``job_id || ''`` is an expression no index covers, which leaves the planner the
    partial index alone."""
    p = d.params()
    sql = (
        f"SELECT job_id, count(*) FROM runs{d.indexed_by('runs_leases')} "
        f"WHERE status = 'running' AND lease_expires_at > {p.add(now)} "
        f"AND (job_id || '') {d.in_list(p, list(jobs))} GROUP BY job_id"
    )
    rows = yield Fetch(sql, p.values)
    return {str(r[0]): int(r[1]) for r in rows}


def rooms(limits: dict[str, int], running: dict[str, int], limit: int) -> dict[str, int]:
    """Places each globally limited job has left for this claim (jobs without any left out)."""
    out = {}
    for job, most in sorted(limits.items()):
        room = min(limit, most - running.get(job, 0))
        if room > 0:
            out[job] = room
    return out


def reserve_slot(d: Dialect, key: str, interval: float, now: float) -> Plan[float]:
    """``Store.reserve_slot`` in one statement: ``next_at = max(next_at, now) + interval``."""
    p = d.params()
    sql = (
        f"INSERT INTO rate_slots (key, next_at) VALUES ({p.add(key)}, {p.add(now + interval)}) "
        f"ON CONFLICT (key) DO UPDATE SET next_at = CASE WHEN rate_slots.next_at > {p.add(now)} "
        f"THEN rate_slots.next_at + {p.add(interval)} ELSE {p.add(now + interval)} END "
        "RETURNING next_at"
    )
    rows = yield Fetch(sql, p.values)
    return float(rows[0][0]) - interval


@dataclass(frozen=True, slots=True)
class EndAttempt:
    """How finish, fail and release leave attempt ``attempt`` of a run: the run's new state and
    the attempt's. Each backend writes it its own way (``_end_attempt``), always clearing the
    lease and setting ``updated_at``, and only while ``worker_id`` still owns the attempt."""

    worker_id: str
    run_id: str
    attempt: int
    status: str
    """The run's new status (``succeeded``, ``failed`` or ``queued``)."""
    attempt_status: str
    error: str | None = None
    """The attempt's error, also the run's ``last_error`` when set."""
    output: str | None = None
    """Encoded JSON output of a succeeded run."""
    retry_at: float | None = None
    """When a queued run is due (``None`` with ``status='queued'``: at once, ``now``)."""
    extra_attempt: bool = False
    """``max_attempts`` grows by one (a released attempt does not count)."""
    detail: str | None = None
    """The attempt's encoded JSON detail (``Attempt.detail``), or None."""

    def run_set(self, d: Dialect, p: Params, now: float) -> str:
        """The ``SET`` terms for ``runs``, values bound through ``p``."""
        terms = [f"status = '{self.status}'"]
        if self.status == "succeeded":
            terms.append(f"output = {d.json(p, self.output)}")
        if self.error is not None:
            terms.append(f"last_error = {p.add(self.error)}")
        if self.status == "queued":
            when = now if self.retry_at is None else float(self.retry_at)
            terms.append(f"next_attempt_at = {p.add(when)}")
        else:
            terms.append("next_attempt_at = NULL")
        if self.extra_attempt:
            terms.append("max_attempts = max_attempts + 1")
        return ", ".join(terms)

    @property
    def due_now(self) -> bool:
        """The run is queued again at once: workers of every process should look."""
        return self.status == "queued" and self.retry_at is None


def finished(
    worker_id: str, run_id: str, attempt: int, output: str, detail: str | None = None
) -> EndAttempt:
    return EndAttempt(
        worker_id, run_id, attempt, "succeeded", "succeeded", output=output, detail=detail
    )


def failed(
    worker_id: str,
    run_id: str,
    attempt: int,
    error: str,
    retry_at: float | None,
    detail: str | None = None,
) -> EndAttempt:
    """Requeued for ``retry_at``, or failed for good when it is ``None``."""
    if retry_at is None:
        return EndAttempt(
            worker_id, run_id, attempt, "failed", "failed", error=error, detail=detail
        )
    return EndAttempt(
        worker_id,
        run_id,
        attempt,
        "queued",
        "failed",
        error=error,
        retry_at=retry_at,
        detail=detail,
    )


def released(worker_id: str, run_id: str, attempt: int) -> EndAttempt:
    """Queued again, due now. A released attempt does not count: ``max_attempts`` grows by
    one, so the run still gets as many real attempts as it was allowed (attempt numbers stay
    unique)."""
    return EndAttempt(worker_id, run_id, attempt, "queued", "released", extra_attempt=True)


# -- retention -----------------------------------------------------------------------------------
def trim_unauthenticated(d: Dialect, now: float, max_age: float, max_rows: int) -> Plan[int]:
    """Rejected requests and handshakes past their cap (count and age): both are recorded for
    anyone who can reach an endpoint (handshakes have no runs and no dedupe keys)."""
    deleted = 0
    for table, kind in (("rejected_requests", None), ("requests", "status = 'handshake'")):
        of_kind, among = (f"{kind} AND ", f" WHERE {kind}") if kind else ("", "")
        p = d.params()
        deleted += yield Change(
            f"DELETE FROM {table} WHERE {of_kind}received_at < {p.add(now - max_age)}", p.values
        )
        p = d.params()
        deleted += yield Change(
            f"DELETE FROM {table} WHERE {of_kind}id <= (SELECT id FROM {table}{among} "
            f"ORDER BY id DESC LIMIT 1 OFFSET {p.add(max_rows)})",
            p.values,
        )
    return deleted


def purge_chunk(d: Dialect, older_than: float, start: float) -> Plan[tuple[int, int, float]]:
    """One transaction of a purge: up to ``PURGE_CHUNK`` requests received in
    ``[start, older_than)``, oldest first; those whose runs are all final go, with their runs,
    attempts, logs and task results. Returns ``(rows deleted, requests looked at, where the
    next chunk starts)``; ``math.inf`` when there is none."""
    p = d.params()
    candidates = yield Fetch(
        f"SELECT id, received_at FROM requests WHERE received_at < {p.add(older_than)} "
        f"AND received_at >= {p.add(start)} ORDER BY received_at LIMIT {p.add(PURGE_CHUNK)}",
        p.values,
    )
    if not candidates:
        return 0, 0, start
    ids = [c[0] for c in candidates]
    last = float(candidates[-1][1])
    # Locked (PostgreSQL) so that a concurrent replay cannot slip in between.
    runs: list[Any] = []
    for part in d.chunks(ids):
        p = d.params()
        runs += yield Fetch(
            f"SELECT id, request_id, status FROM runs WHERE request_id {d.in_list(p, part)}"
            + d.lock_rows,
            p.values,
        )
    busy = {r[1] for r in runs if r[2] in ACTIVE}
    doomed = [i for i in ids if i not in busy]
    run_ids = [r[0] for r in runs if r[1] not in busy]
    deleted = 0
    for part in d.chunks(run_ids):
        for table, column in (
            ("attempts", "run_id"),
            ("run_logs", "run_id"),
            ("task_results", "run_id"),
            ("runs", "id"),
        ):
            p = d.params()
            deleted += yield Change(
                f"DELETE FROM {table} WHERE {column} {d.in_list(p, part)}", p.values
            )
    for part in d.chunks(doomed):
        p = d.params()
        deleted += yield Change(f"DELETE FROM requests WHERE id {d.in_list(p, part)}", p.values)
    if len(candidates) < PURGE_CHUNK:
        return deleted, len(candidates), math.inf
    if last <= start:  # a full chunk of one timestamp held by active runs
        last = math.nextafter(last, math.inf)
    return deleted, len(candidates), last


def purge_tail(
    d: Dialect, older_than: float, now: float, max_age: float, max_rows: int
) -> Plan[int]:
    """After the requests: expired dedupe keys, old rejected requests, the caps, and alert
    marks resolved before ``older_than``."""
    p = d.params()
    n: int = yield Change(f"DELETE FROM dedupe_keys WHERE expires_at <= {p.add(now)}", p.values)
    p = d.params()
    n += yield Change(
        f"DELETE FROM rejected_requests WHERE received_at < {p.add(older_than)}", p.values
    )
    n += yield from trim_unauthenticated(d, now, max_age, max_rows)
    p = d.params()
    n += yield Change(
        f"DELETE FROM alert_state WHERE state = 'resolved' AND changed_at < {p.add(older_than)}",
        p.values,
    )
    return n
