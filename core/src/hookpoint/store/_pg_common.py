"""What the PostgreSQL store's parts share (``_postgres``, ``_pg_batcher``, ``_pg_listener``):
the connection type, the wake-up channel, error mapping, and the driver of shared query plans.
"""

from __future__ import annotations

import asyncio
from typing import Any, Final, TypeAlias, TypeVar

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from .._errors import StoreError, StoreUnavailable
from ._sql import Dialect, FeedSql, Fetch, Plan

__all__ = [
    "CHANNEL",
    "PAYLOAD",
    "POSTGRES",
    "Conn",
    "Record",
    "close_connection",
    "drive",
    "is_connection_error",
    "is_retryable",
    "map_error",
    "rowcount",
]

T = TypeVar("T")
Record: TypeAlias = asyncpg.Record
Conn: TypeAlias = "asyncpg.Connection[Record] | PoolConnectionProxy[Record]"

CHANNEL: Final = "hookpoint_runs"
# The payload names the schema the runs were queued in, so deployments (or test runs) sharing a
# database but not a schema do not wake each other's workers.
PAYLOAD: Final = "coalesce(current_schema(), '')"

POSTGRES: Final = Dialect(
    name="PostgreSQL",
    style="dollar",
    lock_rows=" FOR UPDATE",
    index_hints=False,
    list_chunk=None,
    json_cast="::json",
    floor="floor({})::bigint",
    # A row is served once the transaction that wrote it is older than every running one:
    # nothing can commit before it in (tx, id) order after that (see _migrations, 0007).
    feed=FeedSql(
        key="tx",
        key_text="tx::text",
        cast="::text::xid8",
        max_key=2**64 - 1,
        settled="tx < pg_snapshot_xmin(pg_current_snapshot())",
        head="SELECT pg_snapshot_xmin(pg_current_snapshot())::text",
    ),
    notify=f"pg_notify('{CHANNEL}', {PAYLOAD})",
)
"""PostgreSQL's side of the queries both stores share (``_queries``)."""

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


def is_retryable(exc: BaseException) -> bool:
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


def rowcount(status: str) -> int:
    """``DELETE 12`` → 12."""
    try:
        return int(status.rsplit(" ", 1)[-1])
    except (ValueError, IndexError):
        return 0


async def drive(conn: Conn, plan: Plan[T], transaction: dict[str, Any] | None = None) -> T:
    """Run a shared query plan on ``conn``; in a transaction (with these options) unless
    ``transaction`` is None (then each statement commits on its own)."""
    if transaction is not None:
        async with conn.transaction(**transaction):
            return await drive(conn, plan)
    result: Any = None
    try:
        while True:
            step = plan.send(result)
            if isinstance(step, Fetch):
                result = await conn.fetch(step.sql, *step.values)
            elif step.counted:
                result = int(await conn.fetchval(step.sql, *step.values) or 0)
            else:
                result = rowcount(await conn.execute(step.sql, *step.values))
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


async def close_connection(conn: asyncpg.Connection[Record] | None) -> None:
    """Close a connection of our own (not pooled): politely for 5 s, then by force."""
    if conn is not None and not conn.is_closed():
        try:
            await asyncio.wait_for(conn.close(), 5)
        except Exception:
            conn.terminate()
