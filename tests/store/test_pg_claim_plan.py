"""A burst of queued runs on a store whose statistics were taken before it (a fresh install,
or after a quiet spell) must not turn every claim into a sort of the whole queue.

Found by ``bench/runs/run.py``: a worker claiming for its jobs (``job_ids`` given, as the engine
always does) on a schema analyzed while the queue was empty got a plan that bitmap-AND-ed the
queue index with ``runs_job`` and sorted all ~48,000 queued runs on disk to take one: 27-38 ms a
claim, 42 runs/s at worker concurrency 1 (docs/benchmarks.md, "Runs"). The claim must walk
``runs_due`` in order instead (and the reap ``runs_leases``), whatever the statistics say.
"""

from __future__ import annotations

import time

import pytest

from hookpoint.store import Store

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_claim_for_jobs_walks_the_queue_index_with_stale_statistics(
    backend: str, store: Store
) -> None:
    from hookpoint.store import _postgres as pg

    assert isinstance(store, pg.PostgresStore) and store._pool is not None
    pool = store._pool
    await pool.execute("ANALYZE")  # statistics of an empty queue
    await pool.execute(
        "INSERT INTO runs (id, request_id, endpoint_id, job_id, job_version, status, attempt, "
        "max_attempts, created_at, updated_at, next_attempt_at) "
        "SELECT 'q' || lpad(i::text, 8, '0'), 'r', 'e', 'job-a', '1', 'queued', 0, 3, 0, 0, 0 "
        "FROM generate_series(1, 20000) AS i"
    )
    now = time.time()
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(pg._QUEUE_PLANNER)  # as the store's claim does
        plan = "\n".join(
            r[0]
            for r in await conn.fetch(
                "EXPLAIN " + pg._CLAIM_SQL, now, 16, "w", now + 30, ["job-a", "job-b"], None
            )
        )
        reap = "\n".join(r[0] for r in await conn.fetch("EXPLAIN " + pg._REAP_SQL, now))
    due = plan.split("CTE due")[1].split("CTE claimed")[0]
    assert "Index Scan using runs_due" in due, plan
    assert "Bitmap" not in due and "Sort" not in due, plan
    assert "Index Scan using runs_leases" in reap and "Bitmap" not in reap, reap
    # and the claim itself: the oldest due runs, in order
    await pool.execute(
        "INSERT INTO requests (id, endpoint_id, method, url, body_size, received_at, status, "
        "verification, headers, body) VALUES ('r', 'e', 'POST', 'http://x/', 0, 0, 'accepted', "
        "'verified', '[]', '')"
    )
    claimed = await store.claim_runs("w", limit=3, lease_seconds=30, job_ids=["job-a"])
    assert [c.run.id for c in claimed] == ["q00000001", "q00000002", "q00000003"]
