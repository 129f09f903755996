"""The PostgreSQL group-commit writer plans its batch statements once, not on every batch.

Found by ``bench/runs/run.py``: a worker at concurrency 1 ran 15% fewer runs a second once its
finishes went through the writer. PostgreSQL re-planned the batch statement on every execution
(a plan for the arrays' actual lengths always looks cheaper than one for any length), and
planning it cost more than running it: 0.37 ms against 0.20 ms for a lone finish, 1.0 against
0.58 ms for an ingest batch (docs/benchmarks.md, "Runs"). What the writer runs with values that
decide the plan (the dedupe lookup, the trims) is still planned for its values.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from hookpoint.store import Store

from .test_conformance import make_request

pytestmark = pytest.mark.postgres


def _writer_connection(store: Store) -> Any:
    from hookpoint.store._postgres import PostgresStore

    assert isinstance(store, PostgresStore) and store._batcher is not None
    conn = store._batcher._conn
    assert conn is not None, "the writer has not connected yet"
    return conn


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_batches_and_finishes_reuse_one_plan(backend: str, store: Store) -> None:
    for _ in range(12):  # one batch at a time: each is an execution of the same statement
        await store.ingest(make_request())
    for _ in range(8):
        [claimed] = await store.claim_runs("w", limit=1, lease_seconds=30)
        assert await store.finish_run("w", claimed.run.id, claimed.attempt, output={"ok": 1})
    from hookpoint.store._pg_batcher import INGEST_SQL, RUNS_SQL

    conn = _writer_connection(store)
    plans = {
        row["statement"].strip(): (row["generic_plans"], row["custom_plans"])
        for row in await conn.fetch(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
        )
    }
    batch = plans.get(INGEST_SQL.strip())
    finishes = plans.get(RUNS_SQL.strip())
    assert batch == (12, 0), plans  # the ingest batch statement, planned once
    assert finishes == (8, 0), plans  # the finishes-only statement (RUNS_SQL)


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_dedupe_and_trims_are_still_planned_for_their_values(
    backend: str, store: Store
) -> None:
    from hookpoint.store._pg_batcher import _planned_per_call

    await store.ingest(make_request())
    conn = _writer_connection(store)
    assert await conn.fetchval("SHOW plan_cache_mode") == "force_generic_plan"
    async with _planned_per_call(conn):
        assert await conn.fetchval("SHOW plan_cache_mode") == "auto"
    assert await conn.fetchval("SHOW plan_cache_mode") == "force_generic_plan"
    # and a deduped batch, which runs in such a transaction, still decides duplicates
    results = await asyncio.gather(
        *(store.ingest(make_request(event_id="evt-1", window=60)) for _ in range(5))
    )
    assert sum(not r.duplicate for r in results) == 1
    assert {r.duplicate_of for r in results if r.duplicate} == {
        next(r.request_id for r in results if not r.duplicate)
    }
    assert await conn.fetchval("SHOW plan_cache_mode") == "force_generic_plan"
