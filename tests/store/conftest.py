"""Fixtures for the store tests: every test that takes ``store`` / ``store_factory`` runs once
per backend.

* SQLite: a fresh file under ``tmp_path``.
* PostgreSQL: ``HOOKPOINT_TEST_POSTGRES_DSN`` (default ``postgresql://postgres@127.0.0.1:5432/
  postgres``); each test gets its own schema ``hp_test_<random>`` (``search_path``), dropped
  afterwards, so tests can run in parallel. When the server is unreachable the PostgreSQL cases
  SKIP with the reason — except under ``CI=true``, where they FAIL.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from hookpoint.store import Store, open_store

PG_DSN = os.environ.get(
    "HOOKPOINT_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)

StoreFactory = Callable[..., Awaitable[Store]]

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

_probe_result: list[str | None] = []


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


async def postgres_unreachable() -> str | None:
    """None when the test server answers; otherwise why not (cached for the session)."""
    if _probe_result:
        return _probe_result[0]
    try:
        import asyncpg
    except ImportError as exc:  # pragma: no cover - asyncpg is a core dependency
        reason: str | None = f"asyncpg is not installed: {exc}"
    else:
        try:
            conn = await asyncpg.connect(PG_DSN, timeout=3)
        except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
            reason = f"PostgreSQL is unreachable at {PG_DSN}: {exc!r}"
        else:
            await conn.close()
            reason = None
    _probe_result.append(reason)
    return reason


async def require_postgres() -> None:
    reason = await postgres_unreachable()
    if reason is None:
        return
    if in_ci():
        pytest.fail(f"{reason} — CI=true, so PostgreSQL tests must run, not skip", pytrace=False)
    pytest.skip(reason)


class PgSchema:
    """A throwaway schema on the test server."""

    def __init__(self) -> None:
        self.name = f"hp_test_{secrets.token_hex(6)}"

    async def create(self) -> None:
        import asyncpg

        conn = await asyncpg.connect(PG_DSN)
        try:
            await conn.execute(f'CREATE SCHEMA "{self.name}"')
        finally:
            await conn.close()

    async def drop(self) -> None:
        import asyncpg

        conn = await asyncpg.connect(PG_DSN)
        try:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE')
        finally:
            await conn.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def pg_schema(backend: str) -> AsyncIterator[PgSchema | None]:
    if backend != "postgres":
        yield None
        return
    await require_postgres()
    schema = PgSchema()
    await schema.create()
    try:
        yield schema
    finally:
        await schema.drop()


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
