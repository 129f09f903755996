"""SQL pieces and row converters shared by the SQLite and PostgreSQL backends.

Queries are written once with a placeholder callback (:class:`Params`: ``?`` for SQLite, ``$n``
for asyncpg) and a :class:`Dialect` for what the two say differently; rows are read by
position, so both drivers' rows (tuples, ``asyncpg.Record``) work. A query both stores run the
same way is a *plan* (``_queries``): a generator that yields :class:`Fetch` and :class:`Change`
steps and is given their results, which each backend's driver executes on its own connection.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeAlias, TypeVar, cast

from ._base import (
    Attempt,
    BulkAction,
    LogLine,
    NewRun,
    Page,
    RejectedRequest,
    RequestQuery,
    RequestStatus,
    RunQuery,
    RunRecord,
    RunStatus,
    StoredRequest,
    new_id,
)
from ._codec import decode_headers, decode_json, encode_headers, encode_json

__all__ = [
    "ACTIVE",
    "ATTEMPT_COLUMNS",
    "BULK_COLUMNS",
    "LOG_COLUMNS",
    "NEW_RUN_COLUMNS",
    "REJECTED_COLUMNS",
    "REQUEST_COLUMNS",
    "RUN_COLUMNS",
    "RUN_FIELDS",
    "Change",
    "Dialect",
    "FeedSql",
    "Fetch",
    "Params",
    "Plan",
    "RunSpec",
    "attempt_from_row",
    "bulk_from_row",
    "feed_cursor",
    "log_from_row",
    "log_rows",
    "merge_request_pages",
    "page_limit",
    "page_of",
    "parse_feed_cursor",
    "prefixed",
    "rejected_from_row",
    "rejected_row",
    "request_columns",
    "request_from_row",
    "request_list_sql",
    "request_tables",
    "run_from_row",
    "run_list_sql",
    "run_specs",
]

T = TypeVar("T")

ACTIVE = ("queued", "running")
FINAL = ("succeeded", "failed", "cancelled")
RUN_STATUSES = frozenset((*ACTIVE, *FINAL))


class Row(Protocol):
    def __getitem__(self, index: int, /) -> Any: ...


# The body stays last (see _migrations: SQLite overflow pages).
REQUEST_FIELDS = (
    "id",
    "endpoint_id",
    "method",
    "url",
    "body_size",
    "received_at",
    "client",
    "status",
    "verification",
    "event_type",
    "event_id",
    "event_time",
    "duplicate_of",
    "test",
    "headers",
    "body",
)
REQUEST_COLUMNS = ", ".join(REQUEST_FIELDS)
REJECTED_FIELDS = (
    "id",
    "endpoint_id",
    "method",
    "url",
    "reason",
    "received_at",
    "client",
    "body_size",
    "headers",
)
REJECTED_COLUMNS = ", ".join(REJECTED_FIELDS)
RUN_FIELDS = (
    "id",
    "request_id",
    "endpoint_id",
    "job_id",
    "job_version",
    "status",
    "attempt",
    "max_attempts",
    "created_at",
    "updated_at",
    "next_attempt_at",
    "lease_owner",
    "lease_expires_at",
    "last_error",
    "output",
    "replay_of",
    "test",
)
RUN_COLUMNS = ", ".join(RUN_FIELDS)
NEW_RUN_COLUMNS = (
    "id, request_id, endpoint_id, job_id, job_version, status, attempt, max_attempts, "
    "created_at, updated_at, next_attempt_at, test"
)
"""What a new run is inserted with (ingest, replay of a request): the rest starts NULL."""
ATTEMPT_COLUMNS = "run_id, number, worker, started_at, finished_at, status, error, detail"
BULK_COLUMNS = (
    "id, kind, idempotency_key, actor, client, query, snapshot, status, matched, replayed, "
    "skipped, new_runs, run_ids, notes, created_at, finished_at, error"
)
LOG_COLUMNS = "run_id, attempt, at, level, message, data"


def prefixed(columns: Sequence[str], alias: str) -> str:
    return ", ".join(f"{alias}.{c}" for c in columns)


def request_columns(alias: str = "") -> str:
    """Every column of ``requests``, body and headers included: for reading one request (or
    the requests of claimed runs), never for a listing (see ``request_list_sql``)."""
    return ", ".join(f"{alias}.{c}" if alias else c for c in REQUEST_FIELDS)


# What a listing reads: the same positions as a full row, with NULL where the headers and the
# body are (``request_from_row`` makes them ``()`` and ``b""``; ``body_size`` is a column of its
# own). A body can be megabytes and the headers tens of KiB: a page of 500 with them read every
# body into memory (security issue 22), while no listing shows either. Not a parameter of
# RequestQuery, so no caller can ask a listing for bodies.
_REQUEST_LIST_COLUMNS = ", ".join([*REQUEST_FIELDS[:-2], "NULL", "NULL"])
_REJECTED_LIST_COLUMNS = ", ".join([*REJECTED_FIELDS[:-1], "NULL"])
# A run's output is whatever its job returned (JSON of any size): listings leave it out too.
_RUN_LIST_COLUMNS = ", ".join("NULL" if c == "output" else f"r.{c}" for c in RUN_FIELDS)


def request_from_row(row: Row) -> StoredRequest:
    return StoredRequest(
        id=row[0],
        endpoint_id=row[1],
        method=row[2],
        url=row[3],
        body_size=int(row[4]),
        received_at=float(row[5]),
        client=row[6],
        status=cast(RequestStatus, row[7]),
        verification=row[8],
        event_type=row[9],
        event_id=row[10],
        event_time=None if row[11] is None else float(row[11]),
        duplicate_of=row[12],
        test=bool(row[13]),
        headers=decode_headers(row[14]),
        body=bytes(row[15]) if row[15] is not None else b"",
    )


def rejected_from_row(row: Row) -> StoredRequest:
    return StoredRequest(
        id=row[0],
        endpoint_id=row[1],
        method=row[2],
        url=row[3],
        reason=row[4],
        received_at=float(row[5]),
        client=row[6],
        body_size=int(row[7]),
        headers=decode_headers(row[8]),
        body=b"",
        status="rejected",
        verification="failed",
        event_type=None,
        event_id=None,
        event_time=None,
    )


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def run_from_row(row: Row, offset: int = 0) -> RunRecord:
    o = offset
    return RunRecord(
        id=row[o],
        request_id=row[o + 1],
        endpoint_id=row[o + 2],
        job_id=row[o + 3],
        job_version=row[o + 4],
        status=cast(RunStatus, row[o + 5]),
        attempt=int(row[o + 6]),
        max_attempts=int(row[o + 7]),
        created_at=float(row[o + 8]),
        updated_at=float(row[o + 9]),
        next_attempt_at=_opt_float(row[o + 10]),
        lease_owner=row[o + 11],
        lease_expires_at=_opt_float(row[o + 12]),
        last_error=row[o + 13],
        output=decode_json(row[o + 14]),
        replay_of=row[o + 15],
        test=bool(row[o + 16]),
    )


def attempt_from_row(row: Row) -> Attempt:
    return Attempt(
        run_id=row[0],
        number=int(row[1]),
        worker=row[2],
        started_at=float(row[3]),
        finished_at=_opt_float(row[4]),
        status=row[5],
        error=row[6],
        detail=decode_json(row[7]),
    )


def bulk_from_row(row: Row) -> BulkAction:
    return BulkAction(
        id=row[0],
        kind=row[1],
        idempotency_key=row[2],
        actor=row[3],
        client=row[4],
        query=dict(decode_json(row[5]) or {}),
        snapshot=row[6],
        status=row[7],
        matched=int(row[8]),
        replayed=int(row[9]),
        skipped=int(row[10]),
        new_runs=int(row[11]),
        run_ids=tuple(decode_json(row[12]) or ()),
        notes=tuple((str(i), str(why)) for i, why in decode_json(row[13]) or ()),
        created_at=float(row[14]),
        finished_at=_opt_float(row[15]),
        error=row[16],
    )


def log_from_row(row: Row) -> LogLine:
    return LogLine(
        run_id=row[0],
        attempt=int(row[1]),
        at=float(row[2]),
        level=row[3],
        message=row[4],
        data=decode_json(row[5]),
    )


def rejected_row(r: RejectedRequest) -> tuple[Any, ...]:
    """The ``rejected_requests`` row (``REJECTED_COLUMNS``) that keeps a rejected request."""
    return (
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


def log_rows(lines: Sequence[LogLine]) -> list[tuple[Any, ...]]:
    """The ``run_logs`` rows (``LOG_COLUMNS``) of log lines, in order."""
    return [
        (
            ln.run_id,
            int(ln.attempt),
            float(ln.at),
            ln.level,
            ln.message,
            None if ln.data is None else encode_json(ln.data),
        )
        for ln in lines
    ]


RunSpec: TypeAlias = tuple[str, str, str, int]
"""A run to create: ``(new run id, job id, job version, max attempts)``."""


def run_specs(runs: Sequence[NewRun]) -> list[RunSpec]:
    """``(new run id, job id, job version, max attempts)`` of each run to create."""
    return [(new_id(), r.job_id, r.job_version, int(r.max_attempts)) for r in runs]


class Params:
    """Collects bound values; ``add`` returns the placeholder for the dialect.

    ``start``: how many ``$n`` the statement binds before these (PostgreSQL numbers them)."""

    def __init__(self, style: str, start: int = 0) -> None:
        self.values: list[Any] = []
        self._style = style
        self._start = start

    def add(self, value: Any) -> str:
        self.values.append(value)
        return "?" if self._style == "qmark" else f"${self._start + len(self.values)}"


# -- plans -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fetch:
    """A step of a plan: run ``sql``; the plan is sent its rows (a list)."""

    sql: str
    values: Sequence[Any]


@dataclass(frozen=True, slots=True)
class Change:
    """A step of a plan: run ``sql`` (INSERT, UPDATE, DELETE); the plan is sent how many rows
    it changed. ``counted``: the statement SELECTs that number itself (a PostgreSQL CTE that
    also notifies), rather than the driver reading the row count."""

    sql: str
    values: Sequence[Any]
    counted: bool = False


Plan: TypeAlias = Generator[Fetch | Change, Any, T]
"""A query both stores run the same way; ``T`` is what it returns (see ``_queries``)."""


@dataclass(frozen=True, slots=True)
class FeedSql:
    """How a dialect reads the delivery feed in commit order (see ``_migrations``, 0007): a
    row's place is ``(key, id)``; ``key`` is a number both dialects compare as one."""

    key: str
    """The column: SQLite ``seq`` (the writer transaction's number), PostgreSQL ``tx`` (the
    writing transaction's id)."""
    key_text: str
    """The column as the driver reads it (``tx::text``: asyncpg has no ``xid8`` codec)."""
    cast: str
    """Appended to a bound key (PostgreSQL binds it as text: ``::text::xid8``); ``""``: bound
    as an integer."""
    max_key: int
    settled: str
    """A condition that keeps out rows something could still commit before (PostgreSQL: the
    writing transaction is older than every running one); ``""`` when commits are serial."""
    head: str
    """A one-value query: the smallest key a row made visible later can have."""

    def bind(self, params: Params, key: int) -> str:
        return params.add(str(key) if self.cast else key) + self.cast


def feed_cursor(key: int, request_id: str) -> str:
    """A feed cursor: ``<key>.<request id>`` (an empty id: before every id of that key)."""
    return f"{key}.{request_id}"


_FEED_ID_CHARS = frozenset("0123456789abcdefghjkmnpqrstvwxyz")


def parse_feed_cursor(cursor: str, feed: FeedSql) -> tuple[int, str]:
    """``(key, request id)`` of a cursor :func:`feed_cursor` made; ``ValueError`` otherwise."""
    key, dot, request_id = cursor.partition(".")
    if (
        not dot
        or not key.isascii()
        or not key.isdigit()
        or len(key) > 20
        or len(request_id) > 26
        or not set(request_id) <= _FEED_ID_CHARS
        or int(key) > feed.max_key
    ):
        raise ValueError("after is not a cursor this host gave")
    return int(key), request_id


@dataclass(frozen=True, slots=True)
class Dialect:
    """What SQLite and PostgreSQL say differently in the queries the stores share."""

    name: str
    """``SQLite`` or ``PostgreSQL``, for messages."""
    style: Literal["qmark", "dollar"]
    lock_rows: str
    """Appended to a SELECT of rows the transaction changes next (PostgreSQL ``FOR UPDATE``;
    SQLite's writer holds the database's write lock already)."""
    index_hints: bool
    """SQLite only: ``INDEXED BY``, so that no statistics can steer its planner into scanning
    the queue through another index."""
    list_chunk: int | None
    """Most values in one ``IN`` list (SQLite binds each one; PostgreSQL binds one array)."""
    json_cast: str
    """Appended to a placeholder bound to a JSON column (``::json``: asyncpg binds text)."""
    floor: str
    """An expression template rounding ``{}`` (a positive number) down to an integer
    (SQLite's ``CAST`` truncates; PostgreSQL's rounds, so it says ``floor``)."""
    feed: FeedSql
    """How the delivery feed is read in commit order."""
    notify: str | None = None
    """An SQL expression that wakes the workers of every process when its transaction commits
    (PostgreSQL ``pg_notify``); ``None``: the backend wakes its own workers."""

    def params(self) -> Params:
        return Params(self.style)

    def in_list(self, params: Params, values: Sequence[str]) -> str:
        """``IN (…)`` of text ``values`` (at most ``list_chunk``: see :meth:`chunks`)."""
        if self.style == "qmark":
            return f"IN ({', '.join(params.add(v) for v in values)})"
        return f"= ANY({params.add(list(values))}::text[])"

    def chunks(self, values: Sequence[str]) -> Iterator[Sequence[str]]:
        """``values`` in parts that fit one ``IN`` list (PostgreSQL: all at once)."""
        step = self.list_chunk or max(1, len(values))
        for start in range(0, len(values), step):
            yield values[start : start + step]

    def indexed_by(self, index: str) -> str:
        return f" INDEXED BY {index}" if self.index_hints else ""

    def json(self, params: Params, value: str | None) -> str:
        return params.add(value) + self.json_cast

    def notifying(self, sql: str, values: Sequence[Any]) -> Change:
        """``sql`` (an INSERT or UPDATE) that also wakes the workers of every process when it
        changes a row (PostgreSQL: one statement, sent at commit)."""
        if self.notify is None:
            return Change(sql, values)
        wrapped = f"WITH n AS ({sql} RETURNING 1) SELECT count(*), max({self.notify}::text) FROM n"
        return Change(wrapped, values, counted=True)


def page_limit(limit: int) -> int:
    """A listing's page size: 1 to 1,000."""
    return max(1, min(int(limit), 1000))


def request_list_sql(query: RequestQuery, params: Params, *, rejected: bool) -> tuple[str, int]:
    """``SELECT`` for one of the two request tables; returns ``(sql, limit)``.

    Fetches ``limit + 1`` rows so the caller can tell whether a next page exists. Listed
    requests carry neither body nor headers (``body=b""``, ``headers=()``; ``body_size`` says
    how big the body is): ``Store.get_request`` reads them for one request.
    """
    limit = page_limit(query.limit)
    where: list[str] = []
    if query.endpoint_id is not None:
        where.append(f"endpoint_id = {params.add(query.endpoint_id)}")
    if not rejected and query.status is not None:
        where.append(f"status = {params.add(query.status)}")
    if not rejected and query.event_type is not None:
        where.append(f"event_type = {params.add(query.event_type)}")
    if query.since is not None:
        where.append(f"received_at >= {params.add(query.since)}")
    if query.until is not None:
        where.append(f"received_at < {params.add(query.until)}")
    if query.before_id is not None:
        where.append(f"id < {params.add(query.before_id)}")
    cond = f" WHERE {' AND '.join(where)}" if where else ""
    if rejected:
        cols, table = _REJECTED_LIST_COLUMNS, "rejected_requests"
    else:
        cols, table = _REQUEST_LIST_COLUMNS, "requests"
    sql = f"SELECT {cols} FROM {table}{cond} ORDER BY id DESC LIMIT {params.add(limit + 1)}"
    return sql, limit


def request_tables(query: RequestQuery) -> tuple[bool, bool]:
    """(read requests?, read rejected_requests?) for a query."""
    if query.status is None:
        return True, query.event_type is None
    if query.status == "rejected":
        return False, query.event_type is None
    return True, False


def merge_request_pages(
    limit: int, accepted: Sequence[StoredRequest], rejected: Sequence[StoredRequest]
) -> Page:
    merged = sorted([*accepted, *rejected], key=lambda r: r.id, reverse=True)
    if len(merged) > limit:
        items = merged[:limit]
        return Page(items=tuple(items), next_before_id=items[-1].id)
    return Page(items=tuple(merged), next_before_id=None)


_ACTIVE_INDEXES = {"queued": "runs_due", "running": "runs_leases"}
"""The partial index that holds the runs of each active status (see _migrations)."""
_FINAL_TERM = "r.status IN (" + ", ".join(f"'{s}'" for s in FINAL) + ")"
"""runs_final's own condition (see ``run_list_sql``)."""


def run_list_sql(query: RunQuery, params: Params, d: Dialect) -> tuple[str, int]:
    """``SELECT`` of a page of runs, ``output`` left out (``None``): ``get_run`` reads it."""
    limit = page_limit(query.limit)
    where: list[str] = []
    join = ""
    table = "runs r"
    if query.endpoint_id is not None:
        where.append(f"r.endpoint_id = {params.add(query.endpoint_id)}")
    if query.job_id is not None:
        where.append(f"r.job_id = {params.add(query.job_id)}")
    if query.request_id is not None:
        where.append(f"r.request_id = {params.add(query.request_id)}")
    if query.status is not None:
        if query.status in RUN_STATUSES:
            # a literal, not a parameter: lets both planners use the partial index of that
            # status (runs_due, runs_leases, runs_final)
            where.append(f"r.status = '{query.status}'")
            if d.index_hints and query.request_id is None:
                # SQLite, without statistics, walked the whole table by id whenever fewer
                # runs than a page had the status (a few running ones: every run read). The
                # runs of a status are read through their index instead: the active ones
                # (as many as the queue) sorted, the final ones in id order. runs_final is
                # usable only with its own term: SQLite does not prove that status = 'failed'
                # implies status IN (...) (https://www.sqlite.org/partialindex.html, 2.).
                # The runs of one request are few: runs_request stays the better path.
                if query.status in ACTIVE:
                    table += d.indexed_by(_ACTIVE_INDEXES[query.status])
                else:
                    where.append(_FINAL_TERM)
        else:
            where.append(f"r.status = {params.add(query.status)}")
    if query.event_type is not None:
        join = " JOIN requests q ON q.id = r.request_id"
        where.append(f"q.event_type = {params.add(query.event_type)}")
    if query.since is not None:
        where.append(f"r.created_at >= {params.add(query.since)}")
    if query.until is not None:
        where.append(f"r.created_at < {params.add(query.until)}")
    if query.before_id is not None:
        where.append(f"r.id < {params.add(query.before_id)}")
    cond = f" WHERE {' AND '.join(where)}" if where else ""
    sql = (
        f"SELECT {_RUN_LIST_COLUMNS} FROM {table}{join}{cond} "
        f"ORDER BY r.id DESC LIMIT {params.add(limit + 1)}"
    )
    return sql, limit


def page_of(items: Sequence[Any], limit: int) -> Page:
    if len(items) > limit:
        kept = tuple(items[:limit])
        return Page(items=kept, next_before_id=kept[-1].id)
    return Page(items=tuple(items), next_before_id=None)
