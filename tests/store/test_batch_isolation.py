"""A failing ingest inside a group commit fails alone: the others in its batch are committed.

The SQLite writer writes a batch of plain ingests with two ``executemany`` calls; when that
fails (here: a request id that already exists) it must fall back to one-by-one writes so only
the bad request gets the error and every other caller is still acknowledged.
"""

from __future__ import annotations

import asyncio

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
