"""Group commit: concurrent writers share transactions, and nobody is told "committed" early."""

from __future__ import annotations

import asyncio
import fcntl
import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from hookpoint import StoreUnavailable
from hookpoint.store import Store, open_store
from hookpoint.store._sqlite import SQLiteStore

from .conftest import StoreFactory
from .test_conformance import make_request


async def test_concurrent_ingests_are_batched(store: Store) -> None:
    commits, ingests = store.stats.commits, store.stats.ingests
    results = await asyncio.gather(*(store.ingest(make_request()) for _ in range(300)))
    assert len({r.request_id for r in results}) == 300
    assert store.stats.ingests - ingests == 300
    used = store.stats.commits - commits
    assert used < 300 / 4, f"{used} commits for 300 concurrent ingests"
    assert store.stats.largest_batch >= 10


async def test_without_group_commit_each_ingest_commits_alone(
    store_factory: StoreFactory,
) -> None:
    store = await store_factory(group_commit=False)
    commits = store.stats.commits
    await asyncio.gather(*(store.ingest(make_request()) for _ in range(40)))
    assert store.stats.commits - commits == 40
    assert store.stats.largest_batch <= 1


async def test_acknowledged_ingests_are_visible_to_another_connection(
    store_factory: StoreFactory,
) -> None:
    """When ``ingest`` returns, the row is committed: an independent store sees it at once."""
    writer = await store_factory()
    observer = await store_factory()
    missing: list[str] = []

    async def one() -> None:
        req = make_request()
        await writer.ingest(req)
        if await observer.get_request(req.id) is None:
            missing.append(req.id)

    await asyncio.gather(*(one() for _ in range(100)))
    assert missing == []


async def test_single_caller_is_not_delayed(store: Store) -> None:
    """No fixed batching window: a lone ingest commits straight away."""
    await store.ingest(make_request())  # warm up
    started = time.perf_counter()
    for _ in range(20):
        await store.ingest(make_request())
    per_ingest = (time.perf_counter() - started) / 20
    assert per_ingest < 0.05, per_ingest


async def test_mixed_writes_share_the_writer(store: Store) -> None:
    run_ids = [(await store.ingest(make_request())).run_ids[0] for _ in range(5)]
    claimed = await store.claim_runs("w", limit=5, lease_seconds=30)
    assert {c.run.id for c in claimed} == set(run_ids)
    outcomes = await asyncio.gather(
        *(store.finish_run("w", c.run.id, c.attempt, output=i) for i, c in enumerate(claimed)),
        *(store.ingest(make_request()) for _ in range(20)),
    )
    assert all(o is True for o in outcomes[:5])
    for i, c in enumerate(claimed):
        run = await store.get_run(c.run.id)
        assert run is not None and run.status == "succeeded" and run.output == i


# -- SQLite specifics --------------------------------------------------------------------------


async def _block_writer(store: SQLiteStore, seconds: float) -> asyncio.Future[None]:
    """Keep the writer thread busy so that what we queue next lands in one batch."""
    started = asyncio.Event()
    loop = asyncio.get_running_loop()

    def block(conn: sqlite3.Connection) -> None:
        loop.call_soon_threadsafe(started.set)
        time.sleep(seconds)

    fut = asyncio.ensure_future(store._write(block, "block"))
    await started.wait()
    return fut


async def test_sqlite_batch_is_everything_queued_during_the_previous_commit(
    tmp_path: Path,
) -> None:
    store = open_store(str(tmp_path / "hp.db"))
    assert isinstance(store, SQLiteStore)
    async with store:
        blocker = await _block_writer(store, 0.2)
        commits = store.stats.commits
        results = await asyncio.gather(*(store.ingest(make_request()) for _ in range(50)))
        await blocker
        assert len(results) == 50
        # the blocker's own commit + one commit for all 50 queued behind it
        assert store.stats.commits - commits == 2
        assert store.stats.largest_batch >= 50


async def test_sqlite_commit_failure_fails_every_caller_and_keeps_nothing(
    tmp_path: Path,
) -> None:
    store = open_store(str(tmp_path / "hp.db"))
    assert isinstance(store, SQLiteStore)
    async with store:
        writer = store._writer
        assert writer is not None
        calls = {"n": 0}

        def failing_commit() -> None:
            calls["n"] += 1
            if calls["n"] == 2:  # the blocker's commit passes; the batch behind it fails
                raise sqlite3.OperationalError("disk I/O error (injected)")

        blocker = await _block_writer(store, 0.2)
        writer.before_commit = failing_commit
        requests = [make_request() for _ in range(30)]
        outcomes = await asyncio.gather(
            *(store.ingest(r) for r in requests), return_exceptions=True
        )
        await blocker
        writer.before_commit = None
        assert all(isinstance(o, StoreUnavailable) for o in outcomes), outcomes
        for req in requests:
            assert await store.get_request(req.id) is None
        assert store.stats.failed_commits == 1
        # the store keeps working
        ok = await store.ingest(make_request())
        assert await store.get_request(ok.request_id) is not None


async def test_sqlite_writers_of_two_processes_take_turns(tmp_path: Path) -> None:
    """A second writer on the same file (another host worker or ``hookpoint worker`` process;
    here a second store, whose lock file descriptor is just as separate) waits for its turn
    while the first one's transaction is open, and writes as soon as it ends."""
    path = str(tmp_path / "hp.db")
    first = open_store(path)
    second = open_store(path)
    assert isinstance(first, SQLiteStore) and isinstance(second, SQLiteStore)
    async with first, second:
        assert (tmp_path / "hp.db-lock").exists()
        writer = first._writer
        assert writer is not None
        holding, release = threading.Event(), threading.Event()

        def hold_the_transaction() -> None:
            holding.set()
            release.wait(10)

        writer.before_commit = hold_the_transaction
        a = asyncio.create_task(first.ingest(make_request()))
        assert await asyncio.to_thread(holding.wait, 10)
        b = asyncio.create_task(second.ingest(make_request()))
        turns = second._writer.turns if second._writer is not None else None
        assert turns is not None
        for _ in range(500):  # the second writer reaches the lock and waits for its turn
            if turns.waits or b.done():
                break
            await asyncio.sleep(0.01)
        assert turns.waits == 1, b.exception() if b.done() else "never waited"
        assert not b.done()
        writer.before_commit = None
        release.set()
        ra, rb = await asyncio.gather(a, b)
        for result in (ra, rb):
            assert await first.get_request(result.request_id) is not None
        assert turns.waited_out == 0


async def test_sqlite_a_lock_holder_that_never_lets_go_delays_writes_by_the_busy_timeout_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A process stopped (or stuck) while holding the writer lock must not stall the others
    for ever: after the busy timeout they write without it, and SQLite decides."""
    path = tmp_path / "hp.db"
    store = open_store(str(path), busy_timeout=0.3)
    assert isinstance(store, SQLiteStore)
    async with store:
        writer = store._writer
        assert writer is not None and writer.turns is not None
        fd = os.open(str(path) + "-lock", os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # held by "another process" (another descriptor)
            result = await asyncio.wait_for(store.ingest(make_request()), 10)
        finally:
            os.close(fd)
        assert await store.get_request(result.request_id) is not None
        assert writer.turns.waited_out == 1
        # once the holder is gone, turns are taken again without waiting
        await asyncio.wait_for(store.ingest(make_request()), 10)
        assert writer.turns.waited_out == 1
    assert "writing without it" in caplog.text


async def test_sqlite_a_holder_stuck_inside_its_transaction_fails_writes_after_one_timeout(
    tmp_path: Path,
) -> None:
    """A process stopped while holding both its turn and SQLite's write lock: the others' writes
    fail (503) once the busy timeout has passed waiting for the turn, not after waiting out
    SQLite's lock for a second busy timeout."""
    path = tmp_path / "hp.db"
    store = open_store(str(path), busy_timeout=1.0)
    assert isinstance(store, SQLiteStore)
    async with store:
        fd = os.open(str(path) + "-lock", os.O_RDWR)
        stuck = sqlite3.connect(str(path), isolation_level=None, timeout=0)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            stuck.execute("BEGIN IMMEDIATE")  # the stopped process's open write transaction
            started = time.monotonic()
            with pytest.raises(StoreUnavailable):
                await asyncio.wait_for(store.ingest(make_request()), 10)
            waited = time.monotonic() - started
        finally:
            stuck.close()
            os.close(fd)
        assert 0.9 < waited < 1.7, waited  # one busy timeout, not two
        # the store recovers as soon as the holder is gone, with its busy timeout intact
        await store.ingest(make_request())
        writer = store._writer
        assert writer is not None
        probe = await store._write(
            lambda conn: conn.execute("PRAGMA busy_timeout").fetchone()[0], "probe"
        )
        assert probe == 1000


async def test_sqlite_without_a_usable_lock_file_writers_still_work(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "hp.db-lock").mkdir()  # cannot be opened as the lock file
    store = open_store(str(tmp_path / "hp.db"))
    async with store:
        result = await store.ingest(make_request())
        assert await store.get_request(result.request_id) is not None
    assert "cannot use the writer lock" in caplog.text


@pytest.mark.parametrize("plant", ["symlink", "foreign", "world-writable"])
async def test_sqlite_a_planted_lock_file_is_not_used(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, plant: str
) -> None:
    """In a shared directory another user could pre-create <db>-lock and hold it (every write
    of ours then waited its patience out), or point it somewhere with a symlink."""
    lock = tmp_path / "hp.db-lock"
    if plant == "symlink":
        lock.symlink_to(tmp_path / "elsewhere")
    else:
        lock.touch()
        if plant == "foreign":
            if os.geteuid() != 0:
                pytest.skip("needs root to create a file owned by another user")
            os.chown(lock, 65534, 65534)
        else:
            lock.chmod(0o666)
    async with open_store(str(tmp_path / "hp.db")) as store:
        result = await store.ingest(make_request())
        assert await store.get_request(result.request_id) is not None
    assert "cannot use the writer lock" in caplog.text
    assert not (tmp_path / "elsewhere").exists()


async def test_sqlite_database_files_are_private(tmp_path: Path) -> None:
    """They hold every request's body and headers: owner only (SQLite gives -wal and -shm the
    database file's mode)."""
    async with open_store(str(tmp_path / "hp.db")) as store:
        await store.ingest(make_request())
        for name in ("hp.db", "hp.db-wal", "hp.db-shm", "hp.db-lock"):
            assert (tmp_path / name).stat().st_mode & 0o077 == 0, name


async def test_sqlite_max_batch_caps_a_transaction(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "hp.db"), max_batch=8)
    assert isinstance(store, SQLiteStore)
    async with store:
        blocker = await _block_writer(store, 0.1)
        await asyncio.gather(*(store.ingest(make_request()) for _ in range(40)))
        await blocker
        assert store.stats.largest_batch == 8


@pytest.mark.parametrize("sync", ["FULL", "NORMAL"])
async def test_sqlite_synchronous_option(tmp_path: Path, sync: str) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'hp.db'}?synchronous={sync}")
    assert isinstance(store, SQLiteStore)
    async with store:
        assert store.synchronous == sync
        got = await store._write(
            lambda conn: (
                conn.execute("PRAGMA synchronous").fetchone()[0],
                conn.execute("PRAGMA journal_mode").fetchone()[0],
            ),
            "read pragmas",
        )
        assert got == ({"FULL": 2, "NORMAL": 1}[sync], "wal")


async def test_sqlite_wal_stays_bounded_under_steady_reads_and_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With readers always busy the automatic checkpoint never finds the moment to reset the
    WAL (it passed 1 GB in the soak); the writer then checkpoints it itself and it starts over.
    Limits scaled down from 64/128 MB so that a few seconds show it."""
    from hookpoint.store import _sqlite

    monkeypatch.setattr(_sqlite, "_JOURNAL_SIZE_LIMIT", 128 * 1024)
    monkeypatch.setattr(_sqlite, "_WAL_LIMIT", 256 * 1024)
    monkeypatch.setattr(_sqlite, "_WAL_CHECK_EVERY", 0.05)
    path = tmp_path / "hp.db"
    store = SQLiteStore(str(path), readers=4)
    wal = Path(str(path) + "-wal")
    async with store:
        first = await store.ingest(make_request())
        stop = asyncio.Event()

        async def keep_reading() -> None:
            while not stop.is_set():
                await store.get_request(first.request_id)

        readers = [asyncio.create_task(keep_reading()) for _ in range(4)]
        largest = 0
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:
            await asyncio.gather(*(store.ingest(make_request()) for _ in range(50)))
            largest = max(largest, wal.stat().st_size)
        stop.set()
        await asyncio.gather(*readers)
        writer = store._writer
        assert wal.stat().st_size <= 8 * 1024 * 1024, largest  # thread alone: 36 MB in 3 s
        assert writer is not None and writer.wal_catch_ups > 0
