"""PostgreSQL for the tests: where the test server is, and throwaway schemas on it.

``HOOKPOINT_TEST_POSTGRES_DSN`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``).
Each test gets its own schema (``search_path``), dropped afterwards, so tests can run in
parallel. When the server is unreachable PostgreSQL tests SKIP with the reason, except under
``CI=true``, where they FAIL (.ci/run also fails when any of them was skipped).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from collections.abc import Iterator
from types import TracebackType

import pytest

PG_DSN = os.environ.get(
    "HOOKPOINT_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)

_probe_result: list[str | None] = []


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


async def postgres_unreachable() -> str | None:
    """None when the test server answers; otherwise why not (cached for the session)."""
    if _probe_result:
        return _probe_result[0]
    import asyncpg

    try:
        conn = await asyncpg.connect(PG_DSN, timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        reason: str | None = f"PostgreSQL is unreachable at {PG_DSN}: {exc!r}"
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


async def execute(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_DSN, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


class PgSchema:
    """A throwaway schema on the test server: ``async with PgSchema() as schema: ...``."""

    def __init__(self, prefix: str = "hp_test") -> None:
        self.name = f"{prefix}_{secrets.token_hex(6)}"

    @property
    def url(self) -> str:
        return f"{PG_DSN}?search_path={self.name}"

    async def create(self) -> None:
        await execute(f'CREATE SCHEMA "{self.name}"')

    async def drop(self) -> None:
        await execute(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE')

    async def __aenter__(self) -> PgSchema:
        await require_postgres()
        await self.create()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.drop()


@contextlib.contextmanager
def fresh_schema(prefix: str) -> Iterator[PgSchema]:
    """:class:`PgSchema` for synchronous fixtures (each step on its own event loop)."""
    schema = PgSchema(prefix)
    asyncio.run(schema.__aenter__())
    try:
        yield schema
    finally:
        asyncio.run(schema.drop())
