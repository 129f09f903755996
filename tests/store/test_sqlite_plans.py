"""SQLite queries the host runs periodically must not sort whole tables.

A sort without an index (``USE TEMP B-TREE``) holds every row it sorts in memory
(``temp_store = MEMORY``); run on every ``/metrics`` scrape it grew the host's heap with the runs
table (the soak's memory creep under a run backlog).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hookpoint.store import HOUR, RunQuery, RunStatus
from hookpoint.store import _queries as q
from hookpoint.store._sqlite import SQLITE, SQLiteStore

from .test_conformance import make_rejected, make_request

H = 1_764_000_000 // HOUR * HOUR
"""The start of an hour, for the counts' windows."""


async def test_queue_stats_reads_indexes_and_sorts_nothing(
    tmp_path: Path, sqlite_statements: list[str]
) -> None:
    seen = sqlite_statements
    path = tmp_path / "hp.db"
    async with SQLiteStore(str(path)) as store:
        for _ in range(3):
            await store.ingest(make_request(jobs=("a",)))
        seen.clear()
        stats = await store.queue_stats()
    assert stats.queued == 3 and stats.by_status == {"queued": 3}
    selects = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    assert selects
    check = sqlite3.connect(path)
    try:
        for sql in selects:
            steps = [row[3] for row in check.execute("EXPLAIN QUERY PLAN " + sql)]
            # an index scan ("SCAN runs USING INDEX runs_due") is fine; a table scan is not
            assert not any("TEMP B-TREE" in step or step == "SCAN runs" for step in steps), (
                sql,
                steps,
            )
    finally:
        check.close()


async def test_batched_dedupe_looks_keys_up_by_primary_key(
    tmp_path: Path, sqlite_statements: list[str]
) -> None:
    """A batch of ingests with dedupe keys asks who holds each key through the primary key.

    The lookup used to be a row-value ``IN (VALUES ...)``, which SQLite answers by scanning
    the whole ``dedupe_keys`` table: every batch cost more with every key inside the dedupe
    window (a day of deliveries, by default). Repeats in and across batches still resolve."""
    seen = sqlite_statements
    path = tmp_path / "hp.db"
    async with SQLiteStore(str(path)) as store:
        first = await asyncio.gather(
            *(store.ingest(make_request(event_id=f"evt-{i}", window=3600)) for i in range(8))
        )
        seen.clear()
        again = await asyncio.gather(
            *(store.ingest(make_request(event_id=f"evt-{i}", window=3600)) for i in range(6, 10))
        )
    assert not any(r.duplicate for r in first)
    assert [r.duplicate for r in again] == [True, True, False, False]
    assert [r.duplicate_of for r in again[:2]] == [first[6].request_id, first[7].request_id]
    lookups = [s for s in seen if s.lstrip().upper().startswith("SELECT") and "dedupe_keys" in s]
    assert lookups, "the batch did not go through the batched dedupe path"
    check = sqlite3.connect(path)
    try:
        for sql in lookups:
            steps = [row[3] for row in check.execute("EXPLAIN QUERY PLAN " + sql)]
            assert any("USING INDEX sqlite_autoindex_dedupe_keys_1" in s for s in steps), steps
            assert not any(s.startswith("SCAN dedupe_keys") or s == "SCAN k" for s in steps), steps
    finally:
        check.close()


def _explain(path: Path, sql: str, values: Sequence[Any] = ()) -> list[str]:
    """The ``EXPLAIN QUERY PLAN`` steps of ``sql`` on the database at ``path``.

    The store never runs ``ANALYZE``: the planner sees no statistics, as on every real
    database, so the plan does not depend on what the tables hold."""
    check = sqlite3.connect(path)
    try:
        return [str(r[3]) for r in check.execute("EXPLAIN QUERY PLAN " + sql, values)]
    finally:
        check.close()


async def test_hourly_counts_per_endpoint_read_the_time_indexes(tmp_path: Path) -> None:
    """The charts (every endpoint of the dashboard's pages, one in ``GET
    /api/endpoints/<id>/stats``) count a window of each table's time index.

    With an ``endpoint_id IN (...)`` term and no statistics, SQLite walked each endpoint's
    whole history through ``requests_endpoint``/``runs_endpoint`` (reading every table row
    for its time) instead: 190 ms for the dashboard's four endpoints at 200,000 requests and
    290,000 runs, against 11 ms for the same window through the time indexes."""
    path = tmp_path / "hp.db"
    async with SQLiteStore(str(path)) as store:
        await store.ingest(make_request("ep1", received_at=H - 10))
        await store.ingest(make_request("ep2", received_at=H - 10))
        found = await store.hourly_activity(hours=2, endpoint_ids=["ep1", "ep3"], now=H + 5)
    assert set(found) == {"ep1", "ep3"}
    assert found["ep1"].requests["accepted"] == (1, 0)
    assert found["ep3"].requests["accepted"] == (0, 0)
    for endpoint_ids in (["ep1"], ["ep1", "ep2", "ep3", "ep4"]):
        plan = q.hourly_activity(SQLITE, H - 23 * HOUR, 24, endpoint_ids)
        step = next(plan)
        plan.close()
        steps = _explain(path, step.sql, step.values)
        for table, index in (
            ("requests", "requests_received"),
            ("rejected_requests", "rejected_received"),
            ("runs", "runs_created"),
        ):
            assert any(
                s.startswith(f"SEARCH {table} USING COVERING INDEX {index} (") for s in steps
            ), (endpoint_ids, steps)
        assert not any("_endpoint" in s for s in steps), steps


async def test_runs_listed_by_status_read_that_status_index(tmp_path: Path) -> None:
    """The runs list filtered by status (dashboard, ``GET /api/runs?status=``, bulk replay
    matching) reads the partial index of that status: ``runs_due``, ``runs_leases``,
    ``runs_final``.

    Without statistics SQLite walked the whole table by id instead whenever fewer runs than a
    page had the status: a deployment with ten workers always has fewer than 50 running runs,
    so ``status=running`` read every run (57 ms at 290,000 runs). ``runs_final`` was never
    usable at all: SQLite cannot tell that ``status = 'failed'`` implies the index's
    ``status IN (...)``. The runs of one request still go through ``runs_request``."""
    path = tmp_path / "hp.db"
    async with SQLiteStore(str(path)) as store:
        ids = [(await store.ingest(make_request(jobs=("a",)))).run_ids[0] for _ in range(5)]
        claimed = await store.claim_runs("w", limit=3, lease_seconds=30, job_ids=["a"])
        assert [c.run.id for c in claimed] == ids[:3]
        assert await store.finish_run("w", ids[0], 1, output=None)
        assert await store.fail_attempt("w", ids[1], 1, error="boom", retry_at=None)
        assert await store.cancel_run(ids[3])
        expected: dict[RunStatus, list[str]] = {
            "succeeded": [ids[0]],
            "failed": [ids[1]],
            "running": [ids[2]],
            "cancelled": [ids[3]],
            "queued": [ids[4]],
        }
        for status, want in expected.items():
            page = await store.list_runs(RunQuery(status=status))
            assert [r.id for r in page.items] == want, status
            mine = await store.list_runs(RunQuery(status=status, job_id="a", endpoint_id="ep1"))
            assert [r.id for r in mine.items] == want, status
        # newest first, page by page
        assert await store.fail_attempt("w", ids[2], 1, error="boom", retry_at=None)
        first = await store.list_runs(RunQuery(status="failed", limit=1))
        assert [r.id for r in first.items] == [ids[2]] and first.next_before_id == ids[2]
        rest = await store.list_runs(RunQuery(status="failed", limit=1, before_id=ids[2]))
        assert [r.id for r in rest.items] == [ids[1]] and rest.next_before_id is None
    indexes: dict[RunStatus, str] = {
        "queued": "runs_due",
        "running": "runs_leases",
        "succeeded": "runs_final",
        "failed": "runs_final",
        "cancelled": "runs_final",
    }
    for status, index in indexes.items():
        for query in (
            RunQuery(status=status),
            RunQuery(status=status, endpoint_id="ep1"),
            RunQuery(status=status, job_id="a", limit=1),
            RunQuery(status=status, event_type="booking.created"),
        ):
            step = next(q.list_runs(SQLITE, query))
            steps = _explain(path, step.sql, step.values)
            assert any(f"USING INDEX {index}" in s for s in steps), (query, steps)
            assert not any("sqlite_autoindex_runs_1" in s for s in steps), (query, steps)
        step = next(q.list_runs(SQLITE, RunQuery(status=status, request_id=ids[0])))
        steps = _explain(path, step.sql, step.values)
        assert any("USING INDEX runs_request" in s for s in steps), steps


async def test_alert_pass_reads_recent_ranges(tmp_path: Path) -> None:
    """An alert pass (every ``HOOKPOINT_ALERT_INTERVAL``, and after every run that dies) reads
    index ranges of recent rows only. The count of each endpoint's rejected requests in the
    last minute read every rejected request kept (up to ``rejected_max_rows``) through
    ``rejected_endpoint``, to save grouping a minute's worth."""
    path = tmp_path / "hp.db"
    now = 1_800_000_000.0
    async with SQLiteStore(str(path)) as store:
        for endpoint, at in (
            ("ep1", now - 10),
            ("ep1", now - 20),
            ("ep2", now - 30),
            ("ep2", now - 300),
        ):
            await store.record_rejected(make_rejected(endpoint, at))
        inputs = await store.alert_inputs(now=now, window=3600, rate_period=60)
    assert inputs.rejected == (("ep1", 2), ("ep2", 1))
    plan = q.alert_inputs(SQLITE, now, 3600, 60)
    result: Any = None
    tables = set()
    try:
        while True:
            step = plan.send(result)
            steps = _explain(path, step.sql, step.values)
            for s in steps:
                if s.startswith(("SCAN", "SEARCH")):
                    table = s.split()[1]
                    tables.add(table)
                    if table != "alert_state":  # one row per alert condition and key
                        assert s.startswith("SEARCH"), (step.sql, steps)
            result = [(None,)] if step.sql.startswith("SELECT min(") else []
    except StopIteration:
        pass
    assert {"runs", "rejected_requests"} <= tables


async def test_feed_from_a_time_reads_that_time_on(tmp_path: Path) -> None:
    """The first read of a new ``hookpoint listen`` (``since``: the moment it started, or
    ``--since``) reads the requests received from then on, through ``requests_received``.

    It walked ``requests_feed`` from the endpoint's first delivery instead, reading each row
    for its time: a listener starting now read the endpoint's whole history (43 ms at 94,000
    deliveries of one endpoint; now 0.01 ms). Pages after a cursor keep walking
    ``requests_feed`` from the cursor. Order is still commit order, not time order."""
    path = tmp_path / "hp.db"
    async with SQLiteStore(str(path)) as store:
        # committed in this order, received in another
        late = make_request(received_at=1_000.0)
        early = make_request(received_at=900.0)
        old = make_request(received_at=100.0)
        for req in (late, early, old, make_request("ep2", received_at=950.0)):
            await store.ingest(req)
        page = await store.read_feed("ep1", since=500.0, limit=1)
        assert [e.request.id for e in page.entries] == [late.id] and page.more
        rest = await store.read_feed("ep1", after=page.cursor, since=500.0)
        assert [e.request.id for e in rest.entries] == [early.id] and not rest.more
        everything = await store.read_feed("ep1", since=0.0)
        assert [e.request.id for e in everything.entries] == [late.id, early.id, old.id]
    plan = q.read_feed(SQLITE, "ep1", None, 500.0, 100, 1 << 20)
    step = next(plan)
    plan.close()
    steps = _explain(path, step.sql, step.values)
    assert any(s.startswith("SEARCH requests USING INDEX requests_received") for s in steps), steps
    plan = q.read_feed(SQLITE, "ep1", (1, ""), None, 100, 1 << 20)
    step = next(plan)
    plan.close()
    steps = _explain(path, step.sql, step.values)
    assert steps == ["SEARCH requests USING INDEX requests_feed (endpoint_id=? AND seq>?)"], steps


async def test_a_batch_of_finishes_and_log_lines_is_a_few_statements_by_primary_key(
    tmp_path: Path, sqlite_statements: list[str]
) -> None:
    """What workers write in one batch (their log lines and succeeded attempts) is one INSERT
    and two UPDATEs, each run and attempt found by its primary key, instead of a SAVEPOINT and
    two statements per finish: every statement is a GIL hand-over between the writer and the
    event loop (docs/benchmarks.md, "Runs"). A second finish of the same attempt in the same
    batch goes one by one after the first and gets False; a stale one does not touch the run."""
    from hookpoint.store import LogLine

    seen = sqlite_statements
    path = tmp_path / "hp.db"
    async with SQLiteStore(str(path)) as store:
        for _ in range(6):
            await store.ingest(make_request(jobs=("a",)))
        claimed = await store.claim_runs("w", limit=6, lease_seconds=30)
        assert len(claimed) == 6
        twice, stale = claimed[0], claimed[1]
        seen.clear()
        results = await asyncio.gather(
            *(
                store.finish_run("w", c.run.id, c.attempt, output={"i": i})
                for i, c in enumerate(claimed[2:])
            ),
            store.finish_run("w", twice.run.id, twice.attempt, output="first"),
            store.finish_run("w", twice.run.id, twice.attempt, output="second"),
            store.finish_run("w", stale.run.id, stale.attempt + 1, output="stale"),
            *(
                store.append_logs([LogLine(c.run.id, c.attempt, 1.0 + n, "info", f"line {n}")])
                for n, c in enumerate(claimed)
            ),
        )
        assert results[:7] == [True, True, True, True, True, False, False]
        first = await store.get_run(twice.run.id)
        assert first is not None and first.status == "succeeded" and first.output == "first"
        held = await store.get_run(stale.run.id)
        assert held is not None and held.status == "running" and held.output is None
        for c in claimed[2:]:
            [attempt] = await store.list_attempts(c.run.id)
            assert attempt.status == "succeeded"
        logged = [await store.list_logs(c.run.id) for c in claimed]
        assert [[line.message for line in lines] for lines in logged] == [
            [f"line {n}"] for n in range(6)
        ]
    writes = [s for s in seen if not s.lstrip().upper().startswith(("SELECT", "BEGIN", "COMMIT"))]
    # only the repeated finish goes one by one, after the batch's first one took effect
    assert [s for s in writes if s.startswith("SAVEPOINT")] == ["SAVEPOINT item"], writes
    finishes = [s for s in writes if s.startswith("UPDATE runs") and "FROM (VALUES" in s]
    attempts = [s for s in writes if s.startswith("UPDATE attempts") and "FROM (VALUES" in s]
    logs = [s for s in writes if s.startswith("INSERT INTO run_logs")]
    assert len(finishes) == 1 and len(attempts) == 1 and len(logs) == 1, writes
    for sql in finishes + attempts:
        steps = _explain(path, sql.split(" RETURNING ")[0])
        assert any(
            s.startswith(
                (
                    "SEARCH runs USING INDEX sqlite_autoindex_runs_1",
                    "SEARCH attempts USING COVERING INDEX sqlite_autoindex_attempts_1",
                )
            )
            for s in steps
        ), steps
        assert not any(s in ("SCAN runs", "SCAN attempts") for s in steps), steps
