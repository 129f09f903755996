"""A failing ingest inside a group commit fails alone: the others in its batch are committed.

The SQLite writer writes a batch of ingests with a few multi-row statements; when that
fails (here: a request id that already exists) it must fall back to one-by-one writes so only
the bad request gets the error and every other caller is still acknowledged.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from hookpoint import StoreError
from hookpoint.store import RunQuery, Store

from .test_conformance import make_request


async def test_one_bad_request_in_a_batch_fails_alone(store: Store) -> None:
    taken = make_request()
    await store.ingest(taken)
    good = [make_request(jobs=("a", "b")) for _ in range(30)]
    clash = make_request(request_id=taken.id)  # primary-key conflict inside the batch
    batch = [*good[:15], clash, *good[15:]]
    results = await asyncio.gather(*(store.ingest(r) for r in batch), return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1 and isinstance(errors[0], StoreError)
    assert results[15] is errors[0]
    for request in good:
        stored = await store.get_request(request.id)
        assert stored is not None and stored.body == request.body
        runs = await store.list_runs(RunQuery(request_id=request.id))
        assert sorted(r.job_id for r in runs.items) == ["a", "b"]


@pytest.mark.parametrize("size", [2, 64])
async def test_batched_ingests_return_their_own_run_ids(store: Store, size: int) -> None:
    requests = [make_request(jobs=("j1",)) for _ in range(size)]
    results = await asyncio.gather(*(store.ingest(r) for r in requests))
    for request, result in zip(requests, results, strict=True):
        assert result.request_id == request.id and len(result.run_ids) == 1
        run = await store.get_run(result.run_ids[0])
        assert run is not None and run.request_id == request.id


async def test_dedupe_inside_one_batch(store: Store) -> None:
    """One batch holding: a new key repeated three times, an expired key taken over and then
    repeated, a live key from before, and ingests without dedupe. Each gets what it would get
    one at a time, in order."""
    t0 = time.time()
    old_live = await store.ingest(make_request(event_id="live", window=600, received_at=t0 - 5))
    await store.ingest(make_request(event_id="expired", window=10, received_at=t0 - 100))
    batch = [
        make_request(event_id="new", window=60, received_at=t0, jobs=("j",)),
        make_request(event_id="expired", window=60, received_at=t0 + 0.001, jobs=("j",)),
        make_request(event_id="new", window=60, received_at=t0 + 0.002, jobs=("j",)),
        make_request(event_id="live", window=60, received_at=t0 + 0.003, jobs=("j",)),
        make_request(event_id=None, window=60, received_at=t0 + 0.004, jobs=("j",)),
        make_request(event_id="expired", window=60, received_at=t0 + 0.005, jobs=("j",)),
        make_request(event_id="new", window=0, received_at=t0 + 0.006, jobs=("j",)),
        make_request(event_id="new", window=60, received_at=t0 + 0.007, jobs=("j",)),
    ]
    results = await asyncio.gather(*(store.ingest(r) for r in batch))
    expected_dup_of = [
        None,
        None,
        batch[0].id,
        old_live.request_id,
        None,
        batch[1].id,
        None,
        batch[0].id,
    ]
    for request, result, dup_of in zip(batch, results, expected_dup_of, strict=True):
        assert result.request_id == request.id
        assert result.duplicate_of == dup_of and result.duplicate == (dup_of is not None)
        stored = await store.get_request(request.id)
        assert stored is not None
        assert stored.status == ("duplicate" if dup_of else "accepted")
        assert stored.duplicate_of == dup_of
        runs = await store.list_runs(RunQuery(request_id=request.id))
        assert len(runs.items) == (0 if dup_of else 1) == len(result.run_ids)


async def test_a_failing_ingest_in_a_deduping_batch_fails_alone(store: Store) -> None:
    taken = make_request()
    await store.ingest(taken)
    t0 = time.time()
    batch = [
        make_request(event_id="k", window=60, received_at=t0, jobs=("j",)),
        make_request(request_id=taken.id, event_id="other", window=60),  # id conflict
        make_request(event_id="k", window=60, received_at=t0 + 0.001, jobs=("j",)),
    ]
    results = await asyncio.gather(*(store.ingest(r) for r in batch), return_exceptions=True)
    assert isinstance(results[1], StoreError)
    first, third = results[0], results[2]
    assert not isinstance(first, BaseException) and not isinstance(third, BaseException)
    assert not first.duplicate and len(first.run_ids) == 1
    assert third.duplicate and third.duplicate_of == batch[0].id
    # the failed request left no dedupe key behind: its event id is still free
    again = await store.ingest(make_request(event_id="other", window=60))
    assert not again.duplicate
