"""Fixtures for the store tests: every test that takes ``store`` / ``store_factory`` runs once
per backend.

* SQLite: a fresh file under ``tmp_path``.
* PostgreSQL: a throwaway schema per test (``tests/pg_schema.py``: where the server is, and
  SKIP when it is unreachable — except under ``CI=true``, where they FAIL).
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from hookpoint.store import Store, open_store

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
try:  # re-exported for the store tests
    from pg_schema import PG_DSN, PgSchema, in_ci, require_postgres
finally:
    sys.path.pop(0)

__all__ = ["BACKENDS", "PG_DSN", "PgSchema", "StoreFactory", "in_ci", "require_postgres"]

StoreFactory = Callable[..., Awaitable[Store]]

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def pg_schema(backend: str) -> AsyncIterator[PgSchema | None]:
    if backend != "postgres":
        yield None
        return
    async with PgSchema() as schema:
        yield schema


@pytest.fixture
async def store_factory(
    backend: str, tmp_path: Path, pg_schema: PgSchema | None
) -> AsyncIterator[StoreFactory]:
    """``await store_factory(**options)`` → an open store on this test's database (several calls
    share it, like several hosts would). Closed at teardown."""
    stores: list[Store] = []

    async def make(**options: Any) -> Store:
        if backend == "sqlite":
            store = open_store(f"sqlite:///{tmp_path / 'hookpoint.db'}", **options)
        else:
            assert pg_schema is not None
            store = open_store(PG_DSN, schema=pg_schema.name, **options)
        await store.open()
        stores.append(store)
        return store

    try:
        yield make
    finally:
        for store in reversed(stores):
            await store.close()


@pytest.fixture
async def store(store_factory: StoreFactory) -> Store:
    return await store_factory()
