"""Hookpoint's durable store: one interface (:class:`Store`), two backends.

* ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db`` or a bare path → SQLite
  (embedded; WAL; one writer thread with group commit). URL query options:
  ``?synchronous=NORMAL``, ``?busy_timeout=10``, ``?mode=ro``.
* ``postgresql://…`` / ``postgres://…`` → PostgreSQL (asyncpg; group-committed ingest,
  ``FOR UPDATE SKIP LOCKED`` claims, ``LISTEN/NOTIFY`` wake-ups).

``open_store`` builds the store; ``await store.open()`` (or ``async with open_store(url) as
store:``) connects and, unless ``auto_upgrade=False``, applies pending migrations.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from .._errors import ConfigError
from ._base import (
    BULK_NOTES_KEPT,
    BULK_RUN_IDS_KEPT,
    FEED_MAX_LIMIT,
    HOUR,
    MAX_HOURS,
    REQUEST_OUTCOMES,
    RUN_STATUSES,
    AlertInputs,
    AlertMark,
    Attempt,
    BulkAction,
    BulkKind,
    BulkStatus,
    ClaimedRun,
    DeadRuns,
    FeedEntry,
    FeedPage,
    HourlyActivity,
    IngestResult,
    LogLine,
    Matches,
    NewBulkAction,
    NewRequest,
    NewRun,
    NotFound,
    Page,
    QueueStats,
    RejectedRequest,
    RequestQuery,
    RequestStatus,
    RunQuery,
    RunRecord,
    RunStatus,
    Store,
    StoredRequest,
    StoreStats,
    hour_window,
    new_id,
)

__all__ = [
    "BULK_NOTES_KEPT",
    "BULK_RUN_IDS_KEPT",
    "FEED_MAX_LIMIT",
    "HOUR",
    "MAX_HOURS",
    "REQUEST_OUTCOMES",
    "RUN_STATUSES",
    "AlertInputs",
    "AlertMark",
    "Attempt",
    "BulkAction",
    "BulkKind",
    "BulkStatus",
    "ClaimedRun",
    "DeadRuns",
    "FeedEntry",
    "FeedPage",
    "HourlyActivity",
    "IngestResult",
    "LogLine",
    "Matches",
    "NewBulkAction",
    "NewRequest",
    "NewRun",
    "NotFound",
    "Page",
    "QueueStats",
    "RejectedRequest",
    "RequestQuery",
    "RequestStatus",
    "RunQuery",
    "RunRecord",
    "RunStatus",
    "Store",
    "StoreStats",
    "StoredRequest",
    "hour_window",
    "new_id",
    "open_store",
]

_SQLITE_QUERY_OPTIONS = {
    "synchronous": str,
    "busy_timeout": float,
    "mode": str,
}


def _sqlite_query_options(url: str) -> dict[str, Any]:
    if "?" not in url:
        return {}
    options: dict[str, Any] = {}
    for key, value in parse_qsl(url.split("?", 1)[1], keep_blank_values=True):
        if key not in _SQLITE_QUERY_OPTIONS:
            raise ConfigError(
                f"unknown SQLite URL option {key!r} (known: {', '.join(_SQLITE_QUERY_OPTIONS)})"
            )
        if key == "mode":
            if value not in ("ro", "rw", "rwc"):
                raise ConfigError(f"SQLite mode must be ro, rw or rwc, got {value!r}")
            options["read_only"] = value == "ro"
            continue
        try:
            options[key] = _SQLITE_QUERY_OPTIONS[key](value)
        except ValueError as exc:
            raise ConfigError(f"bad SQLite URL option {key}={value!r}") from exc
    return options


# Options that only one backend understands; the other ignores them, so a host can pass its
# settings (e.g. ``synchronous=settings.sqlite_synchronous``) whatever the URL says.
_SQLITE_ONLY = frozenset({"synchronous", "busy_timeout", "readers", "read_only"})
_POSTGRES_ONLY = frozenset(
    {
        "schema",
        "min_pool",
        "max_pool",
        "connect_timeout",
        "command_timeout",
        "server_settings",
        "statement_cache_size",
        "listen",
    }
)


def open_store(url: str, **options: Any) -> Store:
    """Build the store for ``url`` (not yet connected: ``await store.open()``).

    ``options`` go to the backend's constructor; see :class:`~hookpoint.store._sqlite.SQLiteStore`
    and :class:`~hookpoint.store._postgres.PostgresStore`. Options of the other backend are
    ignored; unknown options and unknown URL schemes raise ConfigError.

    Common options: ``auto_upgrade`` (default True: ``open()`` applies pending migrations; with
    False it only logs them in ``store.pending_migrations`` — ``hookpoint db upgrade`` opens that
    way and then calls ``upgrade()``), ``group_commit`` (default True), ``max_batch``,
    ``rejected_max_rows`` (10,000), ``rejected_max_age`` (7 days, in seconds),
    ``rejected_trim_every`` (100).
    """
    if not isinstance(url, str) or not url.strip():
        raise ConfigError("the store URL is empty")
    url = url.strip()
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme in ("postgresql", "postgres"):
        from ._postgres import PostgresStore

        options = {k: v for k, v in options.items() if k not in _SQLITE_ONLY}
        try:
            return PostgresStore(url, **options)
        except TypeError as exc:
            raise ConfigError(f"bad PostgreSQL store option: {exc}") from exc
    if scheme in ("", "sqlite"):
        from ._sqlite import SQLiteStore, sqlite_path_from_url

        path = sqlite_path_from_url(url)
        merged = {
            **_sqlite_query_options(url),
            **{k: v for k, v in options.items() if k not in _POSTGRES_ONLY},
        }
        try:
            return SQLiteStore(path, url=url, **merged)
        except TypeError as exc:
            raise ConfigError(f"bad SQLite store option: {exc}") from exc
    raise ConfigError(
        f"unsupported store URL {url!r}: use sqlite:///path.db, a file path, or postgresql://…"
    )
