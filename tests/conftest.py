"""Fixtures shared by the top-level tests (the store tests have their own in store/)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
try:
    from pg_schema import fresh_schema
finally:
    sys.path.pop(0)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A store URL on a fresh PostgreSQL schema (``?search_path=<schema>``), dropped after the
    test; skips when PostgreSQL is unreachable, fails instead under ``CI=true``."""
    with fresh_schema("hp_host") as schema:
        yield schema.url


@pytest.fixture
def sqlite_statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SQL statement the SQLite stores opened in this test run (their connections'
    trace callback), in order: clear it, act, and ``EXPLAIN QUERY PLAN`` what was run."""
    import sqlite3

    from hookpoint.store._sqlite import SQLiteStore

    seen: list[str] = []
    original = SQLiteStore._connect

    def traced(self: SQLiteStore) -> sqlite3.Connection:
        conn = original(self)
        conn.set_trace_callback(seen.append)
        return conn

    monkeypatch.setattr(SQLiteStore, "_connect", traced)
    return seen
