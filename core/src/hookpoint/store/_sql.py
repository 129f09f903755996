"""SQL pieces and row converters shared by the SQLite and PostgreSQL backends.

Queries are written once with a placeholder callback (``?`` for SQLite, ``$n`` for asyncpg);
rows are read by position, so both drivers' rows (tuples, ``asyncpg.Record``) work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, cast

from ._base import (
    Attempt,
    LogLine,
    Page,
    RequestQuery,
    RequestStatus,
    RunQuery,
    RunRecord,
    RunStatus,
    StoredRequest,
)
from ._codec import decode_headers, decode_json

__all__ = [
    "ATTEMPT_COLUMNS",
    "LOG_COLUMNS",
    "REJECTED_COLUMNS",
    "REQUEST_COLUMNS",
    "RUN_COLUMNS",
    "RUN_FIELDS",
    "Params",
    "attempt_from_row",
    "log_from_row",
    "merge_request_pages",
    "page_of",
    "prefixed",
    "rejected_from_row",
    "request_columns",
    "request_from_row",
    "request_list_sql",
    "request_tables",
    "run_from_row",
    "run_list_sql",
]

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
ATTEMPT_COLUMNS = "run_id, number, worker, started_at, finished_at, status, error"
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


class Params:
    """Collects bound values; ``add`` returns the placeholder for the dialect."""

    def __init__(self, style: str) -> None:
        self.values: list[Any] = []
        self._style = style

    def add(self, value: Any) -> str:
        self.values.append(value)
        return "?" if self._style == "qmark" else f"${len(self.values)}"


def _limit(limit: int) -> int:
    return max(1, min(int(limit), 1000))


def request_list_sql(query: RequestQuery, params: Params, *, rejected: bool) -> tuple[str, int]:
    """``SELECT`` for one of the two request tables; returns ``(sql, limit)``.

    Fetches ``limit + 1`` rows so the caller can tell whether a next page exists. Listed
    requests carry neither body nor headers (``body=b""``, ``headers=()``; ``body_size`` says
    how big the body is): ``Store.get_request`` reads them for one request.
    """
    limit = _limit(query.limit)
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


def run_list_sql(query: RunQuery, params: Params) -> tuple[str, int]:
    """``SELECT`` of a page of runs, ``output`` left out (``None``): ``get_run`` reads it."""
    limit = _limit(query.limit)
    where: list[str] = []
    join = ""
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
        f"SELECT {_RUN_LIST_COLUMNS} FROM runs r{join}{cond} "
        f"ORDER BY r.id DESC LIMIT {params.add(limit + 1)}"
    )
    return sql, limit


def page_of(items: Sequence[Any], limit: int) -> Page:
    if len(items) > limit:
        kept = tuple(items[:limit])
        return Page(items=kept, next_before_id=kept[-1].id)
    return Page(items=tuple(items), next_before_id=None)
