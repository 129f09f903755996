"""The store side of alerts, on both backends: what ``alert_inputs`` reads, and that
``swap_alert_mark`` lets exactly one of several hosts change a mark (docs/alerts.md)."""

from __future__ import annotations

import asyncio
import time

from hookpoint.store import AlertMark, Store

from .conftest import StoreFactory
from .test_conformance import make_rejected, make_request


async def _kill(store: Store, *, jobs: tuple[str, ...], test: bool = False) -> list[str]:
    """Ingest one request with a run per job (one attempt each) and fail them all for good."""
    await store.ingest(make_request(jobs=jobs, max_attempts=1, test=test))
    claimed = await store.claim_runs("w", limit=100, lease_seconds=30)
    for c in claimed:
        assert await store.fail_attempt("w", c.run.id, c.attempt, error="boom", retry_at=None)
    return [c.run.id for c in claimed]


async def test_alert_inputs_counts_dead_runs_rejections_and_queue_age(store: Store) -> None:
    start = time.time()
    await _kill(store, jobs=("job-a", "job-b"))
    await _kill(store, jobs=("job-a",))
    last_a = (await _kill(store, jobs=("job-a",)))[0]
    await _kill(store, jobs=("job-c",), test=True)  # a test delivery's run: not an alert
    # a retry scheduled is not dead
    await store.ingest(make_request(jobs=("job-d",), max_attempts=3))
    [retrying] = await store.claim_runs("w", limit=1, lease_seconds=30)
    await store.fail_attempt("w", retrying.run.id, 1, error="x", retry_at=time.time() + 3600)
    for n, endpoint in enumerate(("ep1", "ep1", "ep1", "ep2")):
        # the first is 2 minutes old
        await store.record_rejected(make_rejected(endpoint, start - (120 if n == 0 else 1)))
    queued_at = time.time()
    await store.ingest(make_request(jobs=("job-q",)))

    now = time.time() + 10
    inputs = await store.alert_inputs(now=now, window=60, rate_period=60)
    assert [(d.job_id, d.count) for d in inputs.dead_runs] == [("job-a", 3), ("job-b", 1)]
    dead_a = inputs.dead_runs[0]
    assert dead_a.last_run_id == last_a and dead_a.last_error == "boom"
    assert dead_a.last_endpoint_id == "ep1" and start <= dead_a.last_at <= now
    assert inputs.rejected == (("ep1", 2), ("ep2", 1))
    assert 10 <= inputs.oldest_queued_age <= now - queued_at + 0.01
    assert inputs.marks == {}

    later = await store.alert_inputs(now=now + 120, window=60, rate_period=60)
    assert later.dead_runs == () and later.rejected == ()


async def test_of_hosts_swapping_a_mark_at_once_exactly_one_wins(
    store_factory: StoreFactory,
) -> None:
    stores = [await store_factory() for _ in range(3)]
    first = AlertMark("firing", 100.0, 100.0)
    won = await asyncio.gather(
        *(s.swap_alert_mark("dead_runs", "job-a", None, first) for s in stores * 4)
    )
    assert sorted(won) == [False] * 11 + [True]
    inputs = await stores[0].alert_inputs(now=time.time(), window=60, rate_period=60)
    assert inputs.marks == {("dead_runs", "job-a"): first}

    resolved = AlertMark("resolved", 100.0, 130.0)
    won = await asyncio.gather(
        *(s.swap_alert_mark("dead_runs", "job-a", first, resolved) for s in stores * 4)
    )
    assert sorted(won) == [False] * 11 + [True]
    # a host that read the old mark cannot act on it any more
    stale = AlertMark("firing", 200.0, 200.0)
    assert not await stores[1].swap_alert_mark("dead_runs", "job-a", first, stale)
    assert await stores[2].swap_alert_mark("dead_runs", "job-a", resolved, stale)
    # other keys are their own marks
    assert await stores[0].swap_alert_mark("dead_runs", "job-b", None, first)
    marks = (await stores[1].alert_inputs(now=time.time(), window=60, rate_period=60)).marks
    assert marks == {("dead_runs", "job-a"): stale, ("dead_runs", "job-b"): first}


async def test_purge_drops_marks_resolved_long_ago(store: Store) -> None:
    old = AlertMark("resolved", 10.0, 20.0)
    assert await store.swap_alert_mark("queue_age", "queue", None, old)
    recent = AlertMark("resolved", time.time(), time.time())
    assert await store.swap_alert_mark("dead_runs", "job", None, recent)
    firing = AlertMark("firing", 10.0, 10.0)
    assert await store.swap_alert_mark("rejected_requests", "ep", None, firing)
    await store.purge(older_than=time.time() - 3600)
    marks = (await store.alert_inputs(now=time.time(), window=60, rate_period=60)).marks
    assert set(marks) == {("dead_runs", "job"), ("rejected_requests", "ep")}
