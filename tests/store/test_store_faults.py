"""Store failures: StoreUnavailable (never a driver error), nothing half-written, and recovery."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hookpoint import ConfigError, StoreError, StoreUnavailable
from hookpoint.store import RequestQuery, Store, open_store
from hookpoint.store._sqlite import SQLiteStore

from .conftest import PG_DSN, PgSchema, StoreFactory, require_postgres
from .test_conformance import make_request

ALL_VERSIONS = ["0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008"]
"""Every schema migration, in the order a new database gets them."""

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
try:
    import pg_schema
    from tcp_proxy import TcpProxy
finally:
    sys.path.pop(0)

# -- open_store --------------------------------------------------------------------------------


def test_open_store_urls(tmp_path: Path) -> None:
    bare = open_store(str(tmp_path / "a.db"))
    assert isinstance(bare, SQLiteStore) and bare.path == str(tmp_path / "a.db")
    absolute = open_store(f"sqlite:///{tmp_path / 'b.db'}")
    assert isinstance(absolute, SQLiteStore) and absolute.path == str(tmp_path / "b.db")
    relative = open_store("sqlite:///./rel.db")
    assert isinstance(relative, SQLiteStore) and relative.path == "./rel.db"
    opts = open_store("sqlite:///x.db?synchronous=normal&busy_timeout=2.5&mode=ro")
    assert isinstance(opts, SQLiteStore)
    assert (opts.synchronous, opts.busy_timeout, opts.read_only) == ("NORMAL", 2.5, True)
    assert open_store("hp.db", synchronous="NORMAL").synchronous == "NORMAL"  # type: ignore[attr-defined]

    from hookpoint.store._postgres import PostgresStore

    pg = open_store("postgresql://u:secret@db.example:5432/hp")
    assert isinstance(pg, PostgresStore)
    assert "secret" not in pg.url and "secret" not in repr(pg)
    assert isinstance(open_store("postgres://db.example/hp"), PostgresStore)

    for bad in (
        "mysql://x/y",
        "",
        "sqlite://relative.db",
        "sqlite:///:memory:",
        ":memory:",
        "sqlite:///x.db?bogus=1",
        "sqlite:///x.db?synchronous=sometimes",
    ):
        with pytest.raises(ConfigError):
            open_store(bad)
    with pytest.raises(ConfigError):
        open_store("x.db", not_an_option=1)
    with pytest.raises(ConfigError):
        open_store("postgresql://h/db", not_an_option=1)
    # the other backend's options are ignored (the host passes its settings either way)
    assert isinstance(open_store("postgresql://h/db", synchronous="FULL"), PostgresStore)
    assert isinstance(open_store("x.db", schema="s", max_pool=3), SQLiteStore)


# -- SQLite ------------------------------------------------------------------------------------


async def test_sqlite_unopenable_path_is_unavailable(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "missing-dir" / "hp.db"))
    with pytest.raises(StoreUnavailable, match="cannot open"):
        await store.open()
    await store.close()


async def test_sqlite_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not a database file at all" * 200)
    with pytest.raises(StoreUnavailable, match="not a database"):
        await open_store(str(path)).open()


async def test_sqlite_read_only_file(tmp_path: Path) -> None:
    path = tmp_path / "hp.db"
    async with open_store(str(path)) as store:
        kept = make_request()
        await store.ingest(kept)
    async with open_store(f"sqlite:///{path}?mode=ro") as ro:
        req = make_request()
        with pytest.raises(StoreUnavailable, match="read-only"):
            await ro.ingest(req)
        assert await ro.get_request(req.id) is None
        assert await ro.get_request(kept.id) is not None  # reads still work
        with pytest.raises(StoreUnavailable):
            await ro.ping()


async def test_sqlite_disk_full_fails_the_batch_and_recovers(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "hp.db"))
    assert isinstance(store, SQLiteStore)
    async with store:
        await store.ingest(make_request())

        def limit(conn: sqlite3.Connection) -> int:
            pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
            conn.execute(f"PRAGMA max_page_count = {pages + 4}")
            return pages

        await store._write(limit, "limit pages")
        requests = [make_request(body=b"x" * 65536) for _ in range(10)]
        outcomes = await asyncio.gather(
            *(store.ingest(r) for r in requests), return_exceptions=True
        )
        failures = [o for o in outcomes if isinstance(o, BaseException)]
        assert failures, "the page limit should have been hit"
        assert all(isinstance(o, StoreUnavailable) for o in failures)
        assert any("disk is full" in str(o) for o in failures)
        for req, outcome in zip(requests, outcomes, strict=True):
            stored = await store.get_request(req.id)
            assert (stored is None) == isinstance(outcome, BaseException)

        await store._write(
            lambda conn: conn.execute("PRAGMA max_page_count = 1073741823"), "unlimit"
        )
        ok = make_request(body=b"y" * 65536)
        await store.ingest(ok)
        assert await store.get_request(ok.id) is not None


async def test_sqlite_locked_database_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "hp.db"
    async with open_store(str(path), busy_timeout=0.2) as store:
        other = sqlite3.connect(path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            req = make_request()
            started = time.monotonic()
            with pytest.raises(StoreUnavailable, match="locked"):
                await store.ingest(req)
            assert time.monotonic() - started < 5
            other.execute("ROLLBACK")
        finally:
            other.close()
        await store.ingest(req)  # the lock is gone: the same request goes in
        assert await store.get_request(req.id) is not None


async def test_sqlite_schema_versions(tmp_path: Path) -> None:
    path = tmp_path / "hp.db"
    async with open_store(str(path)) as store:
        assert await store.upgrade() == []
    async with open_store(str(path), auto_upgrade=False) as store:
        await store.ping()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("INSERT INTO schema_migrations VALUES ('9999', 'from the future', 0)")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        await open_store(str(path)).open()


async def test_sqlite_failed_open_leaves_no_threads(tmp_path: Path) -> None:
    import threading

    before = {t.name for t in threading.enumerate()}
    with pytest.raises(StoreUnavailable):
        await open_store(str(tmp_path / "nope" / "hp.db")).open()
    leftover = {t.name for t in threading.enumerate()} - before
    assert not any(name.startswith("hookpoint-sqlite") for name in leftover), leftover


# -- PostgreSQL --------------------------------------------------------------------------------


async def test_postgres_unreachable_dsn_is_unavailable() -> None:
    store = open_store("postgresql://postgres@127.0.0.1:1/postgres", connect_timeout=2)
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match="unreachable"):
        await store.open()
    assert time.monotonic() - started < 10
    with pytest.raises(StoreUnavailable):
        await store.ingest(make_request())
    await store.close()


def test_postgres_tests_fail_instead_of_skipping_under_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pg_schema, "_probe_result", ["PostgreSQL is unreachable (test)"])
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="unreachable"):
        asyncio.run(require_postgres())
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        asyncio.run(require_postgres())


@pytest.fixture
async def pg_schema_only() -> AsyncIterator[PgSchema]:
    async with PgSchema() as schema:
        yield schema


@pytest.mark.postgres
async def test_postgres_recovers_when_the_server_comes_back(pg_schema_only: PgSchema) -> None:
    from urllib.parse import urlsplit

    target = urlsplit(PG_DSN)
    proxy = TcpProxy((target.hostname or "127.0.0.1", target.port or 5432))
    proxy.restore()
    dsn = PG_DSN.replace(
        target.netloc,
        f"{target.username}@127.0.0.1:{proxy.port}"
        if target.username
        else f"127.0.0.1:{proxy.port}",
    )
    store = open_store(dsn, schema=pg_schema_only.name, connect_timeout=2)
    try:
        await store.open()
        first = make_request()
        await store.ingest(first)
        assert await store.get_request(first.id) is not None

        await asyncio.to_thread(proxy.cut)  # the server "goes away"
        lost = make_request()
        with pytest.raises(StoreUnavailable):
            await store.ingest(lost)
        with pytest.raises(StoreUnavailable):
            await store.get_request(first.id)
        with pytest.raises(StoreUnavailable):
            await store.claim_runs("w", limit=1, lease_seconds=30)
        with pytest.raises(StoreUnavailable):
            await store.list_requests(RequestQuery())
        await store.wait_for_runs(0.05)  # waiting degrades to polling, never raises

        await asyncio.to_thread(proxy.restore)  # ... and comes back, same address
        back = make_request()
        await store.ingest(back)
        assert await store.get_request(back.id) is not None
        assert await store.get_request(lost.id) is None
        claimed = await store.claim_runs("w", limit=5, lease_seconds=30)
        assert {c.request.id for c in claimed} == {first.id, back.id}
        await store.ping()
    finally:
        await store.close()
        proxy.close()


@pytest.mark.postgres
async def test_postgres_killed_connections_fail_cleanly_then_recover(
    pg_schema_only: PgSchema,
) -> None:
    import asyncpg

    app = f"hookpoint-test-{pg_schema_only.name}"
    store = open_store(
        PG_DSN, schema=pg_schema_only.name, server_settings={"application_name": app}
    )
    admin = await asyncpg.connect(PG_DSN)
    try:
        await store.open()
        await store.ingest(make_request())
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = $1",
            app,
        )
        assert killed >= 2  # pool + writer (+ listener)
        for _ in range(3):
            req = make_request()
            try:
                await store.ingest(req)
            except StoreUnavailable:
                assert await store.get_request(req.id) is None  # nothing half-written
            else:
                break
        else:
            pytest.fail("the store did not recover after its connections were killed")
        assert await store.get_request(req.id) is not None
    finally:
        await admin.close()
        await store.close()


@pytest.mark.postgres
async def test_postgres_read_only_server_is_unavailable(pg_schema_only: PgSchema) -> None:
    async with open_store(PG_DSN, schema=pg_schema_only.name):
        pass  # creates the schema
    ro = open_store(
        PG_DSN,
        schema=pg_schema_only.name,
        auto_upgrade=False,
        server_settings={"default_transaction_read_only": "on"},
    )
    async with ro:
        req = make_request()
        with pytest.raises(StoreUnavailable, match="read-only"):
            await ro.ingest(req)
        with pytest.raises(StoreUnavailable):
            await ro.ping()
        assert await ro.get_request(req.id) is None


@pytest.mark.postgres
async def test_postgres_hosts_upgrading_at_once(pg_schema_only: PgSchema) -> None:
    stores: list[Store] = [open_store(PG_DSN, schema=pg_schema_only.name) for _ in range(4)]
    try:
        await asyncio.gather(*(s.open() for s in stores))
        assert [await s.upgrade() for s in stores] == [[], [], [], []]
        import asyncpg

        conn = await asyncpg.connect(PG_DSN)
        try:
            versions = await conn.fetch(
                f'SELECT version FROM "{pg_schema_only.name}".schema_migrations'
            )
        finally:
            await conn.close()
        assert sorted(v[0] for v in versions) == ALL_VERSIONS
    finally:
        for s in stores:
            await s.close()


async def test_db_upgrade_flow(store_factory: StoreFactory) -> None:
    """`hookpoint db upgrade`: open without migrating (pending ones are reported), then upgrade."""
    store = await store_factory(auto_upgrade=False)
    assert store.pending_migrations == ALL_VERSIONS  # type: ignore[attr-defined]
    assert await store.upgrade() == ALL_VERSIONS
    assert store.pending_migrations == []  # type: ignore[attr-defined]
    assert await store.upgrade() == []
    again = await store_factory(auto_upgrade=False)
    assert again.pending_migrations == []  # type: ignore[attr-defined]
    await again.ingest(make_request())


@pytest.mark.postgres
async def test_notify_wakes_a_worker_in_another_process(pg_schema_only: PgSchema) -> None:
    """PostgreSQL: NOTIFY wakes a worker of another host (here: another store instance)."""
    async with (
        open_store(PG_DSN, schema=pg_schema_only.name) as host,
        open_store(PG_DSN, schema=pg_schema_only.name) as worker,
    ):
        await worker.wait_for_runs(0.01)
        waiter = asyncio.create_task(worker.wait_for_runs(30))
        await asyncio.sleep(0.1)
        assert not waiter.done()
        started = time.monotonic()
        await host.ingest(make_request())
        await asyncio.wait_for(waiter, 5)
        assert time.monotonic() - started < 2
