"""The store conformance suite: every test runs against SQLite and PostgreSQL (see conftest)."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import Any

import pytest

from hookpoint import ConfigError, StoreError, StoreUnavailable
from hookpoint.store import (
    IngestResult,
    LogLine,
    NewRequest,
    NewRun,
    NotFound,
    RejectedRequest,
    RequestQuery,
    RunQuery,
    Store,
    new_id,
)

from .conftest import StoreFactory


def make_request(
    endpoint: str = "ep1",
    *,
    jobs: tuple[str, ...] = ("job-a",),
    max_attempts: int = 3,
    event_id: str | None = None,
    event_type: str | None = "booking.created",
    window: float = 0.0,
    received_at: float | None = None,
    body: bytes = b'{"hello":"world"}',
    status: Any = "accepted",
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),),
    request_id: str | None = None,
    test: bool = False,
) -> NewRequest:
    return NewRequest(
        id=request_id or new_id(),
        endpoint_id=endpoint,
        method="POST",
        url=f"https://hooks.example/webhooks/{endpoint}?x=1",
        headers=headers,
        body=body,
        received_at=time.time() if received_at is None else received_at,
        client="203.0.113.7",
        status=status,
        verification="verified",
        event_type=event_type,
        event_id=event_id,
        event_time=1_700_000_000.5,
        dedupe_window=window,
        runs=tuple(NewRun(job_id=j, job_version="1.0.0", max_attempts=max_attempts) for j in jobs),
        test=test,
    )


def make_rejected(endpoint: str, at: float) -> RejectedRequest:
    """A request refused for its signature at ``at`` (a Unix time)."""
    return RejectedRequest(
        id=new_id(),
        endpoint_id=endpoint,
        method="POST",
        url=f"https://hooks.example/webhooks/{endpoint}",
        headers=(),
        reason="signature mismatch",
        received_at=at,
    )


async def ingest_one_run(store: Store, **kwargs: Any) -> str:
    result = await store.ingest(make_request(**kwargs))
    assert len(result.run_ids) == 1
    return result.run_ids[0]


# -- ingest ------------------------------------------------------------------------------------


async def test_ingest_stores_request_and_runs(store: Store) -> None:
    req = make_request(jobs=("job-a", "job-b"), event_id="evt-1", window=60)
    result = await store.ingest(req)
    assert result.request_id == req.id
    assert not result.duplicate and result.duplicate_of is None
    assert len(result.run_ids) == 2 and len(set(result.run_ids)) == 2

    stored = await store.get_request(req.id)
    assert stored is not None
    assert stored.id == req.id
    assert stored.endpoint_id == "ep1"
    assert stored.method == "POST"
    assert stored.url == req.url
    assert stored.headers == (("Content-Type", "application/json"),)
    assert stored.body == req.body
    assert stored.body_size == len(req.body)
    assert stored.received_at == pytest.approx(req.received_at)
    assert stored.client == "203.0.113.7"
    assert stored.status == "accepted"
    assert stored.verification == "verified"
    assert stored.event_type == "booking.created"
    assert stored.event_id == "evt-1"
    assert stored.event_time == pytest.approx(1_700_000_000.5)
    assert stored.duplicate_of is None

    runs = {}
    for run_id in result.run_ids:
        run = await store.get_run(run_id)
        assert run is not None
        runs[run.job_id] = run
    assert set(runs) == {"job-a", "job-b"}
    for run in runs.values():
        assert run.request_id == req.id
        assert run.endpoint_id == "ep1"
        assert run.job_version == "1.0.0"
        assert run.status == "queued"
        assert run.attempt == 0
        assert run.max_attempts == 3
        assert run.next_attempt_at is not None
        assert run.lease_owner is None and run.lease_expires_at is None
        assert run.replay_of is None
    page = await store.list_runs(RunQuery(request_id=req.id))
    assert {r.id for r in page.items} == set(result.run_ids)


async def test_headers_and_binary_body_round_trip(store: Store) -> None:
    headers = (("X-Dup", "1"), ("x-dup", "2"), ("Üñí", "välue ✓"), ("Empty", ""))
    body = bytes(range(256)) * 4096  # 1 MiB, not UTF-8
    req = make_request(headers=headers, body=body)
    await store.ingest(req)
    stored = await store.get_request(req.id)
    assert stored is not None
    assert stored.headers == headers
    assert stored.body == body
    assert stored.body_size == len(body)


async def test_handshake_recorded_without_runs(store: Store) -> None:
    req = make_request(status="handshake", jobs=())
    result = await store.ingest(req)
    assert result.run_ids == ()
    stored = await store.get_request(req.id)
    assert stored is not None and stored.status == "handshake"


async def test_a_body_not_kept_keeps_its_size(store: Store) -> None:
    """Handshakes are stored without their body; the size it had is still recorded, also when
    such a record shares a batch with ordinary ones."""
    import dataclasses

    kept = make_request(body=b"12345")
    dropped = dataclasses.replace(
        make_request(status="handshake", jobs=()), body=b"", body_size=123
    )
    await asyncio.gather(store.ingest(kept), store.ingest(dropped))
    got_kept = await store.get_request(kept.id)
    got_dropped = await store.get_request(dropped.id)
    assert got_kept is not None and got_kept.body_size == 5
    assert got_dropped is not None and got_dropped.body_size == 123 and got_dropped.body == b""


async def test_get_unknown_is_none(store: Store) -> None:
    assert await store.get_request("nope") is None
    assert await store.get_run("nope") is None
    assert await store.list_attempts("nope") == []
    assert await store.list_logs("nope") == []


async def test_upgrade_is_idempotent(store: Store) -> None:
    assert await store.upgrade() == []
    await store.ping()


# -- dedupe ------------------------------------------------------------------------------------


async def test_dedupe_inside_window_is_duplicate(store: Store) -> None:
    t0 = time.time()
    first = await store.ingest(make_request(event_id="e1", window=60, received_at=t0))
    second_req = make_request(event_id="e1", window=60, received_at=t0 + 30)
    second = await store.ingest(second_req)
    assert not first.duplicate
    assert second.duplicate
    assert second.duplicate_of == first.request_id
    assert second.run_ids == ()
    stored = await store.get_request(second_req.id)
    assert stored is not None
    assert stored.status == "duplicate"
    assert stored.duplicate_of == first.request_id
    assert (await store.list_runs(RunQuery(request_id=second_req.id))).items == ()
    # a duplicate keeps no body (its size only) and its headers masked and cut to size
    assert stored.body == b"" and stored.body_size == len(second_req.body)
    original = await store.get_request(first.request_id)
    assert original is not None and original.body == second_req.body


async def test_a_duplicates_headers_are_masked_and_cut_to_size(store: Store) -> None:
    headers = (("Authorization", "Bearer s3cret"), ("X-Pad", "p" * 60_000))
    await store.ingest(make_request(event_id="e9", window=60))
    dup_req = make_request(event_id="e9", window=60, headers=headers)
    await store.ingest(dup_req)
    stored = await store.get_request(dup_req.id)
    assert stored is not None and stored.status == "duplicate"
    assert "s3cret" not in str(stored.headers)
    assert sum(len(k) + len(v) for k, v in stored.headers) < 10 * 1024


async def test_dedupe_window_zero_is_off(store: Store) -> None:
    a = await store.ingest(make_request(event_id="e1", window=0))
    b = await store.ingest(make_request(event_id="e1", window=0))
    assert not a.duplicate and not b.duplicate
    assert len(b.run_ids) == 1


async def test_dedupe_is_per_endpoint(store: Store) -> None:
    a = await store.ingest(make_request("ep1", event_id="e1", window=60))
    b = await store.ingest(make_request("ep2", event_id="e1", window=60))
    assert not a.duplicate and not b.duplicate


async def test_dedupe_after_expiry_is_not_duplicate(store: Store) -> None:
    t0 = time.time() - 1000
    a = await store.ingest(make_request(event_id="e1", window=10, received_at=t0))
    b = await store.ingest(make_request(event_id="e1", window=10, received_at=t0 + 11))
    c = await store.ingest(make_request(event_id="e1", window=10, received_at=t0 + 15))
    assert not a.duplicate
    assert not b.duplicate and len(b.run_ids) == 1
    # the new window starts at the second delivery
    assert c.duplicate and c.duplicate_of == b.request_id


async def test_dedupe_concurrent_same_event(store: Store) -> None:
    t0 = time.time()
    results = await asyncio.gather(
        *(
            store.ingest(make_request(event_id="same", window=60, received_at=t0 + i * 0.001))
            for i in range(10)
        )
    )
    originals = [r for r in results if not r.duplicate]
    assert len(originals) == 1
    assert all(r.duplicate_of == originals[0].request_id for r in results if r.duplicate)


async def test_a_dedupe_key_other_than_the_event_id(store: Store) -> None:
    """``NewRequest.dedupe_key`` (a provider endpoint's ``dedupe=``): repeats are recognised by
    it, one by one and inside one batch, and the request keeps its own event id."""
    t0 = time.time()

    def keyed(event_id: str, key: str | None, at: float) -> NewRequest:
        return dataclasses.replace(
            make_request(event_id=event_id, window=60, received_at=at), dedupe_key=key
        )

    first = await store.ingest(keyed("evt-1", "delivery-1", t0))
    other_event = await store.ingest(keyed("evt-2", "delivery-1", t0 + 1))
    same_event = await store.ingest(keyed("evt-1", "delivery-2", t0 + 2))
    assert not first.duplicate
    assert other_event.duplicate and other_event.duplicate_of == first.request_id
    assert not same_event.duplicate and len(same_event.run_ids) == 1
    stored = await store.get_request(first.request_id)
    assert stored is not None and stored.event_id == "evt-1"
    results = await asyncio.gather(
        *(store.ingest(keyed(f"evt-b{i}", "delivery-3", t0 + 3 + i * 0.001)) for i in range(10))
    )
    originals = [r for r in results if not r.duplicate]
    assert len(originals) == 1
    assert all(r.duplicate_of == originals[0].request_id for r in results if r.duplicate)


# -- group commit ------------------------------------------------------------------------------


async def test_concurrent_ingests_share_commits(store: Store) -> None:
    before = store.stats.commits
    requests = [make_request(f"ep{i % 3}") for i in range(200)]
    results = await asyncio.gather(*(store.ingest(r) for r in requests))
    assert [r.request_id for r in results] == [r.id for r in requests]
    commits = store.stats.commits - before
    assert 1 <= commits < 200, commits
    assert store.stats.largest_batch > 1
    for req in requests[::20]:
        assert await store.get_request(req.id) is not None
    page = await store.list_runs(RunQuery(limit=1000))
    assert len(page.items) == 200


async def test_failing_item_fails_only_its_caller(store: Store) -> None:
    taken = make_request()
    await store.ingest(taken)
    batch = [make_request() for _ in range(5)]
    batch.insert(2, make_request(request_id=taken.id))  # primary-key clash
    outcomes = await asyncio.gather(*(store.ingest(r) for r in batch), return_exceptions=True)
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(errors) == 1
    assert isinstance(outcomes[2], StoreError)
    assert not isinstance(outcomes[2], StoreUnavailable)
    for req, outcome in zip(batch, outcomes, strict=True):
        if req.id != taken.id:
            assert not isinstance(outcome, BaseException)
            assert await store.get_request(req.id) is not None


async def test_failed_ingest_leaves_no_rows(store: Store) -> None:
    bad = make_request(max_attempts=0)  # violates the runs CHECK after the request row went in
    with pytest.raises(StoreError):
        await store.ingest(bad)
    assert await store.get_request(bad.id) is None
    assert (await store.list_runs(RunQuery(request_id=bad.id))).items == ()
    ok = await store.ingest(make_request())
    assert len(ok.run_ids) == 1


# -- claims and leases -------------------------------------------------------------------------


async def test_claim_gives_each_run_to_one_claimer(store: Store) -> None:
    run_ids: set[str] = set()
    for _ in range(30):
        run_ids.add(await ingest_one_run(store))
    claims = await asyncio.gather(
        *(store.claim_runs(f"w{i}", limit=10, lease_seconds=30) for i in range(6))
    )
    claimed = [c.run.id for batch in claims for c in batch]
    assert len(claimed) == len(set(claimed)) == 30
    assert set(claimed) == run_ids
    for i, batch in enumerate(claims):
        for c in batch:
            assert c.run.lease_owner == f"w{i}"
    assert await store.claim_runs("late", limit=10, lease_seconds=30) == []


async def test_global_limits_cap_running_runs_of_a_job_across_claimers(
    store_factory: StoreFactory,
) -> None:
    """``global_limits``: a job never has more runs running (unexpired leases) than its limit,
    whichever store connection (another process, another host) claims; other jobs are not
    held back, and a finished or expired run frees its place."""
    one, other = await store_factory(), await store_factory()
    limited = [await ingest_one_run(one, jobs=("dest",)) for _ in range(5)]
    free = [await ingest_one_run(one, jobs=("job-a",)) for _ in range(3)]
    limits = {"dest": 2}
    claims = await asyncio.gather(
        *(
            s.claim_runs(f"w{i}", limit=10, lease_seconds=30, global_limits=limits)
            for i, s in enumerate((one, other, one, other))
        )
    )
    got = [c for batch in claims for c in batch]
    assert sorted(c.run.id for c in got if c.run.job_id == "job-a") == sorted(free)
    running = [c for c in got if c.run.job_id == "dest"]
    assert len(running) == 2 and {c.run.id for c in running} <= set(limited)
    assert await other.claim_runs("w9", limit=10, lease_seconds=30, global_limits=limits) == []
    first = running[0]
    assert await one.finish_run(first.run.lease_owner or "", first.run.id, 1, detail={"n": 1})
    [next_one] = await other.claim_runs("w9", limit=10, lease_seconds=30, global_limits=limits)
    assert next_one.run.job_id == "dest"
    # only runs whose lease has not expired count: later, all three leases have run out
    later = time.time() + 60
    again = await one.claim_runs("w8", limit=10, lease_seconds=30, global_limits=limits, now=later)
    # the limit again (not the 4 runs the job has left), beside every run of other jobs
    assert sorted(c.run.job_id for c in again) == ["dest", "dest", "job-a", "job-a", "job-a"]
    assert (
        await one.claim_runs("w7", limit=10, lease_seconds=30, global_limits=limits, now=later)
        == []
    )
    [attempt] = [a for a in await one.list_attempts(first.run.id) if a.number == 1]
    assert attempt.detail == {"n": 1}


async def test_reserve_slot_spaces_starts_for_every_caller(store_factory: StoreFactory) -> None:
    one, other = await store_factory(), await store_factory()
    now = 1_900_000_000.0
    slots = [await s.reserve_slot("forward:d", 0.25, now=now) for s in (one, other, one, other)]
    assert slots == [now, now + 0.25, now + 0.5, now + 0.75]
    assert await one.reserve_slot("forward:other", 0.25, now=now) == now  # per key
    # once the reserved slots are past, the next one starts now
    assert await other.reserve_slot("forward:d", 0.25, now=now + 10) == now + 10
    with pytest.raises(ConfigError):
        await one.reserve_slot("forward:d", 0)


async def test_claim_starts_an_attempt(store: Store) -> None:
    req = make_request()
    run_id = (await store.ingest(req)).run_ids[0]
    before = time.time()
    [claimed] = await store.claim_runs("w1", limit=5, lease_seconds=30)
    assert claimed.run.id == run_id
    assert claimed.attempt == 1
    assert claimed.run.attempt == 1
    assert claimed.run.status == "running"
    assert claimed.run.lease_owner == "w1"
    assert claimed.run.lease_expires_at is not None
    assert claimed.run.lease_expires_at >= before + 29
    assert claimed.request.id == req.id
    assert claimed.request.body == req.body
    [attempt] = await store.list_attempts(run_id)
    assert attempt.number == 1 and attempt.worker == "w1" and attempt.status == "running"
    assert attempt.finished_at is None


async def test_claim_limit_order_and_job_filter(store: Store) -> None:
    a = await ingest_one_run(store, jobs=("job-a",))
    b = await ingest_one_run(store, jobs=("job-b",))
    c = await ingest_one_run(store, jobs=("job-a",))
    assert await store.claim_runs("w", limit=0, lease_seconds=30) == []
    got = await store.claim_runs("w", limit=5, lease_seconds=30, job_ids=["job-b"])
    assert [x.run.id for x in got] == [b]
    got = await store.claim_runs("w", limit=1, lease_seconds=30)
    assert [x.run.id for x in got] == [a]  # oldest due first
    got = await store.claim_runs("w", limit=5, lease_seconds=30)
    assert [x.run.id for x in got] == [c]


async def test_a_large_claim_takes_every_run_oldest_first_each_with_its_attempt(
    store: Store,
) -> None:
    """More runs than one statement of the claim holds (SQLite writes them 64 at a time)."""
    now = time.time()
    results = await asyncio.gather(
        *(store.ingest(make_request(received_at=now + i / 1000)) for i in range(620))
    )
    queued = [r.run_ids[0] for r in results]
    claimed = await store.claim_runs("w", limit=700, lease_seconds=30)
    assert [c.run.id for c in claimed] == queued  # oldest due first (ids break ties)
    assert all(c.attempt == 1 and c.run.status == "running" for c in claimed)
    assert all(c.request.id == c.run.request_id for c in claimed)
    stats = await store.queue_stats()
    assert stats.by_status.get("running") == 620 and stats.queued == 0
    assert [a.status for a in await store.list_attempts(claimed[-1].run.id)] == ["running"]


async def test_expired_lease_is_claimable_again(store: Store) -> None:
    run_id = await ingest_one_run(store, max_attempts=3)
    [first] = await store.claim_runs("w1", limit=1, lease_seconds=30)
    assert await store.claim_runs("w2", limit=1, lease_seconds=30) == []
    later = time.time() + 31
    [second] = await store.claim_runs("w2", limit=1, lease_seconds=30, now=later)
    assert second.run.id == run_id
    assert second.attempt == first.attempt + 1 == 2
    assert second.run.lease_owner == "w2"
    attempts = await store.list_attempts(run_id)
    assert [(a.number, a.status, a.worker) for a in attempts] == [
        (1, "lost", "w1"),
        (2, "running", "w2"),
    ]
    # the old owner lost it
    assert not await store.finish_run("w1", run_id, 1)
    assert not await store.fail_attempt("w1", run_id, 1, error="x", retry_at=None)
    assert await store.heartbeat("w1", [run_id], 30) == set()
    assert await store.finish_run("w2", run_id, 2, output={"ok": True})


async def test_expired_lease_with_no_attempts_left_fails_the_run(store: Store) -> None:
    run_id = await ingest_one_run(store, max_attempts=1)
    await store.claim_runs("w1", limit=1, lease_seconds=30)
    assert await store.claim_runs("w2", limit=1, lease_seconds=30, now=time.time() + 60) == []
    run = await store.get_run(run_id)
    assert run is not None
    assert run.status == "failed"
    assert run.last_error is not None and "lost" in run.last_error
    assert [a.status for a in await store.list_attempts(run_id)] == ["lost"]


async def test_heartbeat_extends_the_lease(store: Store) -> None:
    run_id = await ingest_one_run(store)
    other = await ingest_one_run(store)
    await store.claim_runs("w1", limit=1, lease_seconds=5)
    assert await store.heartbeat("w1", [run_id, other, "missing"], 120) == {run_id}
    assert await store.heartbeat("w2", [run_id], 120) == set()
    run = await store.get_run(run_id)
    assert run is not None and run.lease_expires_at is not None
    assert run.lease_expires_at >= time.time() + 100
    # 10 s later the original 5 s lease would have expired; the heartbeat kept it
    got = await store.claim_runs("w2", limit=5, lease_seconds=5, now=time.time() + 10)
    assert [c.run.id for c in got] == [other]
    assert await store.heartbeat("w1", [], 10) == set()


async def test_finish_run(store: Store) -> None:
    run_id = await ingest_one_run(store)
    [claimed] = await store.claim_runs("w1", limit=1, lease_seconds=30)
    assert not await store.finish_run("w2", run_id, claimed.attempt)  # not the owner
    assert not await store.finish_run("w1", run_id, claimed.attempt + 1)  # wrong attempt
    output = {"n": 1, "items": [1, "two", None], "nested": {"ü": True}}
    assert await store.finish_run("w1", run_id, claimed.attempt, output=output)
    assert not await store.finish_run("w1", run_id, claimed.attempt)  # already final
    run = await store.get_run(run_id)
    assert run is not None
    assert run.status == "succeeded"
    assert run.output == output
    assert run.lease_owner is None and run.lease_expires_at is None
    # a listing leaves the output (any size) out; get_run above reads it
    [listed] = (await store.list_runs(RunQuery(request_id=run.request_id))).items
    assert listed.id == run_id and listed.status == "succeeded" and listed.output is None
    [attempt] = await store.list_attempts(run_id)
    assert attempt.status == "succeeded" and attempt.finished_at is not None


async def test_finish_with_odd_output_is_kept_leniently(store: Store) -> None:
    run_id = await ingest_one_run(store)
    [claimed] = await store.claim_runs("w1", limit=1, lease_seconds=30)

    class Thing:
        def __repr__(self) -> str:
            return "<Thing>"

    out = {"thing": Thing(), "nan": float("nan"), "tags": ("a",)}
    assert await store.finish_run("w1", run_id, claimed.attempt, output=out)
    run = await store.get_run(run_id)
    assert run is not None
    assert run.output["thing"] == "<Thing>"
    assert run.output["tags"] == ["a"]


async def test_fail_with_retry_requeues_for_later(store: Store) -> None:
    run_id = await ingest_one_run(store)
    [claimed] = await store.claim_runs("w1", limit=1, lease_seconds=30)
    retry_at = time.time() + 100
    assert not await store.fail_attempt("w2", run_id, 1, error="boom", retry_at=retry_at)
    assert await store.fail_attempt("w1", run_id, claimed.attempt, error="boom", retry_at=retry_at)
    run = await store.get_run(run_id)
    assert run is not None
    assert run.status == "queued"
    assert run.next_attempt_at == pytest.approx(retry_at)
    assert run.last_error == "boom"
    assert run.lease_owner is None
    assert await store.claim_runs("w1", limit=1, lease_seconds=30) == []
    assert await store.claim_runs("w1", limit=1, lease_seconds=30, now=retry_at - 1) == []
    [again] = await store.claim_runs("w1", limit=1, lease_seconds=30, now=retry_at + 0.01)
    assert again.attempt == 2
    attempts = await store.list_attempts(run_id)
    assert [(a.number, a.status, a.error) for a in attempts] == [
        (1, "failed", "boom"),
        (2, "running", None),
    ]


async def test_fail_without_retry_is_dead_letter(store: Store) -> None:
    run_id = await ingest_one_run(store, max_attempts=1)
    [claimed] = await store.claim_runs("w1", limit=1, lease_seconds=30)
    assert await store.fail_attempt("w1", run_id, claimed.attempt, error="fatal", retry_at=None)
    run = await store.get_run(run_id)
    assert run is not None
    assert run.status == "failed"
    assert run.last_error == "fatal"
    assert run.next_attempt_at is None
    assert await store.claim_runs("w1", limit=1, lease_seconds=30, now=time.time() + 1e6) == []


async def test_release_requeues_without_using_an_attempt(store: Store) -> None:
    run_id = await ingest_one_run(store, max_attempts=1)
    [claimed] = await store.claim_runs("w1", limit=1, lease_seconds=30)
    assert not await store.release_run("w2", run_id, claimed.attempt)
    assert await store.release_run("w1", run_id, claimed.attempt)
    run = await store.get_run(run_id)
    assert run is not None
    assert run.status == "queued"
    assert run.next_attempt_at is not None and run.next_attempt_at <= time.time()
    # documented: a released attempt is not counted — max_attempts grows by one
    assert run.max_attempts == 2
    [again] = await store.claim_runs("w2", limit=1, lease_seconds=30)
    assert again.attempt == 2
    assert again.attempt <= again.run.max_attempts
    statuses = [(a.number, a.status) for a in await store.list_attempts(run_id)]
    assert statuses == [(1, "released"), (2, "running")]


async def test_cancel_run(store: Store) -> None:
    queued = await ingest_one_run(store)
    running = await ingest_one_run(store)
    done = await ingest_one_run(store)
    got = await store.claim_runs("w1", limit=2, lease_seconds=30)
    assert {c.run.id for c in got} == {queued, running}
    # put `queued` back so it is really queued
    assert await store.release_run("w1", queued, 1)
    assert await store.cancel_run(queued)
    assert await store.cancel_run(running)
    [d] = await store.claim_runs("w1", limit=1, lease_seconds=30)
    assert d.run.id == done
    assert await store.finish_run("w1", done, d.attempt)
    assert not await store.cancel_run(done)
    assert not await store.cancel_run("missing")
    for run_id in (queued, running):
        run = await store.get_run(run_id)
        assert run is not None and run.status == "cancelled"
    # the running attempt learns it at its next heartbeat, and cannot finish it
    assert await store.heartbeat("w1", [running], 30) == set()
    assert not await store.finish_run("w1", running, 1)
    assert await store.claim_runs("w2", limit=5, lease_seconds=30, now=time.time() + 1e6) == []


# -- wake-ups ----------------------------------------------------------------------------------


async def test_wait_for_runs_wakes_on_ingest(store: Store) -> None:
    await store.wait_for_runs(0.01)  # consume any pending wake-up
    waiter = asyncio.create_task(store.wait_for_runs(30))
    await asyncio.sleep(0.05)
    assert not waiter.done()
    started = time.monotonic()
    await store.ingest(make_request())
    await asyncio.wait_for(waiter, 5)
    assert time.monotonic() - started < 5


async def test_wait_for_runs_wakes_on_runs_stored_by_another_process(
    store_factory: StoreFactory,
) -> None:
    """A ``hookpoint worker`` beside a host: runs the host stores wake the worker's store well
    before the worker's own timeout (PostgreSQL: NOTIFY; SQLite: a look every 0.2 s)."""
    host = await store_factory()
    worker = await store_factory()
    await worker.wait_for_runs(0.3)  # consume any pending wake-up; SQLite notes where runs end
    waiter = asyncio.create_task(worker.wait_for_runs(30))
    await asyncio.sleep(0.05)
    assert not waiter.done()
    await host.ingest(make_request())
    await asyncio.wait_for(waiter, 5)  # without a wake-up it would wait the whole 30 s
    [claimed] = await worker.claim_runs("w1", limit=5, lease_seconds=30)
    assert claimed.run.job_id == "job-a"


async def test_wait_for_runs_times_out(store: Store) -> None:
    await store.wait_for_runs(0.01)
    started = time.monotonic()
    await store.wait_for_runs(0.2)
    assert 0.15 <= time.monotonic() - started < 5


async def test_wait_for_runs_wakes_when_a_retry_is_due(store: Store) -> None:
    run_id = await ingest_one_run(store)
    [claimed] = await store.claim_runs("w1", limit=1, lease_seconds=30)
    await store.wait_for_runs(0.01)
    assert await store.fail_attempt(
        "w1", run_id, claimed.attempt, error="x", retry_at=time.time() + 0.3
    )
    started = time.monotonic()
    await store.wait_for_runs(10)
    assert time.monotonic() - started < 5
    got = await store.claim_runs("w1", limit=1, lease_seconds=30, now=time.time() + 0.5)
    assert [c.run.id for c in got] == [run_id]


# -- run io ------------------------------------------------------------------------------------


async def test_logs_append_and_list_in_order(store: Store) -> None:
    run_id = await ingest_one_run(store)
    t = time.time()
    await store.append_logs(
        [
            LogLine(run_id, 1, t, "info", "first", {"a": 1}),
            LogLine(run_id, 1, t, "debug", "second"),
        ]
    )
    await store.append_logs([])
    await store.append_logs([LogLine(run_id, 2, t + 1, "error", "third", ["x", {"y": None}])])
    await store.append_logs([LogLine("other-run", 1, t, "warn", "elsewhere")])
    lines = await store.list_logs(run_id)
    assert [(ln.message, ln.level, ln.attempt, ln.data) for ln in lines] == [
        ("first", "info", 1, {"a": 1}),
        ("second", "debug", 1, None),
        ("third", "error", 2, ["x", {"y": None}]),
    ]
    assert lines[0].at == pytest.approx(t)


async def test_task_results(store: Store) -> None:
    run_id = await ingest_one_run(store)
    assert await store.get_task_result(run_id, "step") == (False, None)
    await store.save_task_result(run_id, "step", {"id": 42, "tags": ["a"]})
    assert await store.get_task_result(run_id, "step") == (True, {"id": 42, "tags": ["a"]})
    await store.save_task_result(run_id, "step", [1, 2])
    assert await store.get_task_result(run_id, "step") == (True, [1, 2])
    await store.save_task_result(run_id, "nothing", None)
    assert await store.get_task_result(run_id, "nothing") == (True, None)
    assert await store.get_task_result("other", "step") == (False, None)
    with pytest.raises(StoreError, match="not JSON-serializable"):
        await store.save_task_result(run_id, "bad", {"x": object()})
    assert await store.get_task_result(run_id, "bad") == (False, None)


# -- replay ------------------------------------------------------------------------------------


async def test_replay_run(store: Store) -> None:
    run_id = await ingest_one_run(store, max_attempts=2)
    [claimed] = await store.claim_runs("w1", limit=1, lease_seconds=30)
    await store.fail_attempt("w1", run_id, claimed.attempt, error="x", retry_at=None)
    new_run_id = await store.replay_run(run_id)
    assert new_run_id != run_id
    new = await store.get_run(new_run_id)
    old = await store.get_run(run_id)
    assert new is not None and old is not None
    assert new.replay_of == run_id
    assert new.status == "queued" and new.attempt == 0
    assert (new.request_id, new.job_id, new.job_version, new.max_attempts) == (
        old.request_id,
        old.job_id,
        old.job_version,
        old.max_attempts,
    )
    [again] = await store.claim_runs("w1", limit=5, lease_seconds=30)
    assert again.run.id == new_run_id and again.attempt == 1
    with pytest.raises(NotFound):
        await store.replay_run("missing")


async def test_replay_request(store: Store) -> None:
    req = make_request(jobs=())
    await store.ingest(req)
    ids = await store.replay_request(
        req.id, [NewRun("job-x", "2.0.0", 4), NewRun("job-y", "1.0.0", 1)]
    )
    assert len(ids) == 2
    runs = [await store.get_run(i) for i in ids]
    assert [
        (r.job_id, r.job_version, r.max_attempts, r.status, r.request_id)
        for r in runs
        if r is not None
    ] == [
        ("job-x", "2.0.0", 4, "queued", req.id),
        ("job-y", "1.0.0", 1, "queued", req.id),
    ]
    assert await store.replay_request(req.id, []) == ()
    with pytest.raises(NotFound):
        await store.replay_request("missing", [NewRun("job-x", "1", 1)])
    with pytest.raises(LookupError):  # NotFound is a LookupError too
        await store.replay_run("missing")


async def test_test_deliveries_and_their_runs_are_marked_everywhere(store: Store) -> None:
    # together, so that batching stores write them in one batch (the bulk path), and alone
    results = await asyncio.gather(
        *(store.ingest(make_request(jobs=("job-a", "job-b"), test=i % 2 == 0)) for i in range(6))
    )
    alone = await store.ingest(make_request(jobs=("job-a",), test=True))
    tests = {r.request_id for i, r in enumerate(results) if i % 2 == 0} | {alone.request_id}
    for result in [*results, alone]:
        expected = result.request_id in tests
        stored = await store.get_request(result.request_id)
        assert stored is not None and stored.test is expected
        for run_id in result.run_ids:
            run = await store.get_run(run_id)
            assert run is not None and run.test is expected
    listed = await store.list_requests(RequestQuery(limit=100))
    assert {r.id for r in listed.items if r.test} == tests
    assert all(not r.test for r in listed.items if r.id not in tests)
    runs = await store.list_runs(RunQuery(limit=100))
    assert {r.request_id for r in runs.items if r.test} == tests
    assert len(runs.items) == 13
    claimed = await store.claim_runs("w1", limit=100, lease_seconds=30)
    assert len(claimed) == 13
    for c in claimed:
        assert c.run.test is c.request.test is (c.request.id in tests)
    # a replay of a test run, and a re-delivery of a test request, are tests too
    test_run = next(c.run for c in claimed if c.run.test)
    plain_run = next(c.run for c in claimed if not c.run.test)
    replayed = await store.get_run(await store.replay_run(test_run.id))
    assert replayed is not None and replayed.test is True
    replayed_plain = await store.get_run(await store.replay_run(plain_run.id))
    assert replayed_plain is not None and replayed_plain.test is False
    [again] = await store.replay_request(alone.request_id, [NewRun("job-z", "1", 1)])
    again_run = await store.get_run(again)
    assert again_run is not None and again_run.test is True


async def test_upgrading_a_0001_database_keeps_its_rows_and_marks_none_as_test(
    backend: str, tmp_path: Any, pg_schema: Any, store_factory: StoreFactory
) -> None:
    """A database made by the first release (schema 0001) gains ``test`` (0002) with its rows
    kept, the body still last in SQLite's ``requests`` (see _migrations)."""
    from hookpoint.store._migrations import MIGRATIONS

    first = MIGRATIONS[0]
    rows = [
        "INSERT INTO schema_migrations (version, description, applied_at) "
        "VALUES ('0001', 'initial', 0)",
        "INSERT INTO requests (id, endpoint_id, method, url, body_size, received_at, client, "
        "status, verification, event_type, event_id, event_time, duplicate_of, headers, body) "
        "VALUES ('r1', 'ep1', 'POST', 'https://x/webhooks/ep1', 5, 1.5, NULL, 'accepted', "
        "'verified', 'booking.created', 'evt-1', NULL, NULL, '[[\"A\",\"b\"]]', {body})",
        "INSERT INTO runs (id, request_id, endpoint_id, job_id, job_version, status, attempt, "
        "max_attempts, created_at, updated_at, next_attempt_at) "
        "VALUES ('u1', 'r1', 'ep1', 'job-a', '1', 'queued', 0, 3, 1.5, 1.5, 1.5)",
    ]
    if backend == "sqlite":
        import sqlite3

        conn = sqlite3.connect(tmp_path / "hookpoint.db")
        with conn:
            conn.execute(
                "CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, "
                "description TEXT NOT NULL, applied_at REAL NOT NULL)"
            )
            for statement in (*first.sqlite, *rows):
                conn.execute(statement.format(body="X'68656c6c6f'"))
        conn.close()
    else:
        import asyncpg

        from .conftest import PG_DSN

        conn = await asyncpg.connect(PG_DSN)
        try:
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{pg_schema.name}"')
            await conn.execute(f'SET search_path TO "{pg_schema.name}"')
            await conn.execute(
                "CREATE TABLE schema_migrations (version text PRIMARY KEY, "
                "description text NOT NULL, applied_at double precision NOT NULL)"
            )
            for statement in (*first.postgres, *rows):
                await conn.execute(statement.format(body="'\\x68656c6c6f'::bytea"))
        finally:
            await conn.close()
    store = await store_factory()
    stored = await store.get_request("r1")
    assert stored is not None and stored.test is False
    assert stored.body == b"hello" and stored.headers == (("A", "b"),)
    assert stored.event_id == "evt-1"
    run = await store.get_run("u1")
    assert run is not None and run.test is False and run.request_id == "r1"
    assert await store.upgrade() == []
    # the old rows are counted through 0008's time indexes
    counted = await store.hourly_activity(hours=1, now=1.5)
    assert counted["ep1"].requests["accepted"] == (1,) and counted["ep1"].runs["queued"] == (1,)
    new = await store.ingest(make_request(test=True))
    fresh = await store.get_request(new.request_id)
    assert fresh is not None and fresh.test is True
    if backend == "sqlite":
        import sqlite3

        conn = sqlite3.connect(tmp_path / "hookpoint.db")
        columns = [r[1] for r in conn.execute("PRAGMA table_info(requests)")]
        indexes = {r[1] for r in conn.execute("PRAGMA index_list(requests)")}
        by_time = [r[2] for r in conn.execute("PRAGMA index_info(requests_received)")]
        conn.close()
        assert by_time == ["received_at", "endpoint_id", "status", "test"]
        # test before headers and body (0002); only the feed's seq (0007) comes after the
        # body, read through its index (see _migrations)
        assert columns[-4:] == ["test", "headers", "body", "seq"]
        assert {
            "requests_endpoint",
            "requests_status",
            "requests_event_type",
            "requests_received",
        } <= indexes


# -- queries -----------------------------------------------------------------------------------


async def test_list_requests_filters_and_pagination(store: Store) -> None:
    t0 = time.time() - 100
    ids = []
    for i in range(7):
        req = make_request(
            "ep1" if i % 2 == 0 else "ep2", event_type="a" if i < 4 else "b", received_at=t0 + i
        )
        await store.ingest(req)
        ids.append(req.id)
    dup = make_request("ep1", event_id="e", window=60, received_at=t0 + 7)
    dup2 = make_request("ep1", event_id="e", window=60, received_at=t0 + 8)
    await store.ingest(dup)
    await store.ingest(dup2)
    all_ids = [*ids, dup.id, dup2.id]

    page = await store.list_requests(RequestQuery(limit=4))
    assert [r.id for r in page.items] == all_ids[::-1][:4]
    assert page.next_before_id == all_ids[::-1][3]
    seen = [r.id for r in page.items]
    cursor: str | None = page.next_before_id
    while cursor is not None:
        page = await store.list_requests(RequestQuery(limit=4, before_id=cursor))
        seen.extend(r.id for r in page.items)
        cursor = page.next_before_id
    assert seen == all_ids[::-1]

    ep2 = await store.list_requests(RequestQuery(endpoint_id="ep2"))
    assert [r.id for r in ep2.items] == [ids[5], ids[3], ids[1]]
    typed = await store.list_requests(RequestQuery(event_type="b"))
    assert [r.id for r in typed.items] == [ids[6], ids[5], ids[4]]
    dups = await store.list_requests(RequestQuery(status="duplicate"))
    assert [r.id for r in dups.items] == [dup2.id]
    window = await store.list_requests(RequestQuery(since=t0 + 2, until=t0 + 4))
    assert [r.id for r in window.items] == [ids[3], ids[2]]
    # a listing never reads bodies or headers (security issue 22); get_request does
    listed = (await store.list_requests(RequestQuery(endpoint_id="ep2", limit=1))).items[0]
    assert (listed.body, listed.headers) == (b"", ())
    stored = await store.get_request(listed.id)
    assert stored is not None and stored.body and stored.headers
    assert listed.body_size == len(stored.body)


async def test_list_runs_filters_and_pagination(store: Store) -> None:
    a = await store.ingest(make_request("ep1", jobs=("j1", "j2"), event_type="x"))
    b = await store.ingest(make_request("ep2", jobs=("j1",), event_type="y"))
    c = await store.ingest(make_request("ep1", jobs=("j2", "j3"), event_type="y"))
    all_runs = [*a.run_ids, *b.run_ids, *c.run_ids]
    page = await store.list_runs(RunQuery(limit=2))
    assert [r.id for r in page.items] == all_runs[::-1][:2]
    page2 = await store.list_runs(RunQuery(limit=2, before_id=page.next_before_id))
    page3 = await store.list_runs(RunQuery(limit=2, before_id=page2.next_before_id))
    assert [r.id for r in (*page.items, *page2.items, *page3.items)] == all_runs[::-1]
    assert page3.next_before_id is None

    def ids(p: Any) -> set[str]:
        return {r.id for r in p.items}

    assert ids(await store.list_runs(RunQuery(endpoint_id="ep1"))) == {*a.run_ids, *c.run_ids}
    assert ids(await store.list_runs(RunQuery(job_id="j1"))) == {a.run_ids[0], *b.run_ids}
    assert ids(await store.list_runs(RunQuery(event_type="y"))) == {*b.run_ids, *c.run_ids}
    assert ids(await store.list_runs(RunQuery(request_id=a.request_id))) == set(a.run_ids)
    [claimed] = await store.claim_runs("w", limit=1, lease_seconds=30)
    assert ids(await store.list_runs(RunQuery(status="running"))) == {claimed.run.id}
    assert len((await store.list_runs(RunQuery(status="queued"))).items) == 4
    assert ids(await store.list_runs(RunQuery(since=time.time() + 10))) == set()


async def test_rejected_requests_are_listed(store: Store) -> None:
    accepted = make_request("ep1")
    await store.ingest(accepted)
    rej = RejectedRequest(
        id=new_id(),
        endpoint_id="ep1",
        method="POST",
        url="https://h/webhooks/ep1",
        headers=(("X-Sig", "bad"),),
        reason="signature mismatch",
        received_at=time.time(),
        client="198.51.100.1",
        body_size=123,
    )
    await store.record_rejected(rej)
    page = await store.list_requests(RequestQuery())
    assert [r.id for r in page.items] == [rej.id, accepted.id]
    item = page.items[0]
    assert item.status == "rejected"
    assert item.reason == "signature mismatch"
    assert item.body == b"" and item.body_size == 123
    assert item.headers == ()  # listings read no headers; get_request does (below)
    only = await store.list_requests(RequestQuery(status="rejected"))
    assert [r.id for r in only.items] == [rej.id]
    assert [r.id for r in (await store.list_requests(RequestQuery(status="accepted"))).items] == [
        accepted.id
    ]
    fetched = await store.get_request(rej.id)
    assert fetched is not None and fetched.status == "rejected"
    assert fetched.headers == (("X-Sig", "bad"),)
    assert (await store.list_requests(RequestQuery(endpoint_id="other"))).items == ()


async def test_rejected_requests_are_bounded(store_factory: StoreFactory) -> None:
    store = await store_factory(rejected_max_rows=5, rejected_trim_every=1)
    now = time.time()
    ids = []
    for i in range(12):
        rid = new_id()
        ids.append(rid)
        await store.record_rejected(
            RejectedRequest(
                id=rid,
                endpoint_id="ep",
                method="POST",
                url="u",
                headers=(),
                reason=f"r{i}",
                received_at=now + i * 0.001,
            )
        )
    page = await store.list_requests(RequestQuery(status="rejected", limit=100))
    assert [r.id for r in page.items] == ids[::-1][:5]


async def test_rejected_requests_expire_by_age(store_factory: StoreFactory) -> None:
    store = await store_factory(rejected_max_age=60, rejected_trim_every=1)
    old = RejectedRequest(
        id=new_id(),
        endpoint_id="ep",
        method="GET",
        url="u",
        headers=(),
        reason="old",
        received_at=time.time() - 3600,
    )
    await store.record_rejected(old)
    new = RejectedRequest(
        id=new_id(),
        endpoint_id="ep",
        method="GET",
        url="u",
        headers=(),
        reason="new",
        received_at=time.time(),
    )
    await store.record_rejected(new)
    page = await store.list_requests(RequestQuery(status="rejected"))
    assert [r.id for r in page.items] == [new.id]


async def test_queue_stats(store: Store) -> None:
    empty = await store.queue_stats()
    assert (empty.queued, empty.running, empty.oldest_queued_age) == (0, 0, 0.0)
    for _ in range(4):
        await ingest_one_run(store)
    got = await store.claim_runs("w", limit=2, lease_seconds=30)
    await store.finish_run("w", got[0].run.id, got[0].attempt)
    await asyncio.sleep(0.05)
    stats = await store.queue_stats()
    assert stats.queued == 2
    assert stats.running == 1
    assert stats.oldest_queued_age > 0
    assert stats.by_status == {"queued": 2, "running": 1, "succeeded": 1}
    active = await store.queue_stats(finals=False)  # the dashboard's runs page
    assert (active.queued, active.running) == (2, 1) and active.oldest_queued_age > 0
    assert active.by_status == {"queued": 2, "running": 1}


async def test_purge(store: Store) -> None:
    old = time.time() - 10 * 86400
    finished = make_request(received_at=old, event_id="k", window=60)
    active = make_request(received_at=old + 1)
    fresh = make_request()
    await store.ingest(finished)
    await store.ingest(active)
    await store.ingest(fresh)
    fin_run = (await store.list_runs(RunQuery(request_id=finished.id))).items[0].id
    act_run = (await store.list_runs(RunQuery(request_id=active.id))).items[0].id
    got = {c.run.id: c for c in await store.claim_runs("w", limit=10, lease_seconds=30)}
    await store.append_logs([LogLine(fin_run, 1, time.time(), "info", "done")])
    await store.save_task_result(fin_run, "t", 1)
    assert await store.finish_run("w", fin_run, got[fin_run].attempt)
    await store.record_rejected(
        RejectedRequest(
            id=new_id(),
            endpoint_id="ep1",
            method="POST",
            url="u",
            headers=(),
            reason="bad",
            received_at=old,
        )
    )
    queued = make_request(received_at=old + 2)  # ingested after the claim: still queued
    await store.ingest(queued)

    deleted = await store.purge(older_than=time.time() - 86400)
    # request + run + attempt + log + task result + rejected + expired dedupe key
    assert deleted >= 6
    assert await store.get_request(finished.id) is None
    assert await store.get_run(fin_run) is None
    assert await store.list_attempts(fin_run) == []
    assert await store.list_logs(fin_run) == []
    assert await store.get_task_result(fin_run, "t") == (False, None)
    assert await store.get_request(active.id) is not None  # its run is still running
    assert await store.get_run(act_run) is not None
    assert await store.get_request(fresh.id) is not None
    assert await store.get_request(queued.id) is not None  # its run is queued
    assert (await store.list_requests(RequestQuery(status="rejected"))).items == ()
    # the dedupe key of the purged request expired long ago: the event id is free again
    again = await store.ingest(make_request(event_id="k", window=60))
    assert not again.duplicate
    assert await store.purge(older_than=time.time() - 86400) == 0


# -- failures ----------------------------------------------------------------------------------


async def test_closed_store_raises_unavailable(store_factory: StoreFactory) -> None:
    store = await store_factory()
    await store.close()
    req = make_request()
    with pytest.raises(StoreUnavailable):
        await store.ingest(req)
    with pytest.raises(StoreUnavailable):
        await store.get_request(req.id)
    with pytest.raises(StoreUnavailable):
        await store.claim_runs("w", limit=1, lease_seconds=1)
    await store.close()  # idempotent
    reopened = await store_factory()
    assert await reopened.get_request(req.id) is None


async def test_two_stores_share_the_database(store_factory: StoreFactory) -> None:
    """Two hosts on one database: each sees the other's commits; a run goes to one of them."""
    a = await store_factory()
    b = await store_factory()
    req = make_request()
    await a.ingest(req)
    assert await b.get_request(req.id) is not None
    got = await asyncio.gather(
        a.claim_runs("wa", limit=1, lease_seconds=30), b.claim_runs("wb", limit=1, lease_seconds=30)
    )
    assert sum(len(g) for g in got) == 1


# -- query plans (backend internals) -----------------------------------------------------------


async def test_claim_and_reap_use_the_queue_indexes(backend: str, store: Store) -> None:
    """Claiming must not scan every queued/running run (nor every run): it has to go through
    the partial indexes, even with statistics taken when only finished runs existed (with a full
    (status, id) index, PostgreSQL then picks that index and filters the whole queue)."""
    finished = (
        "INSERT INTO runs (id, request_id, endpoint_id, job_id, job_version, status, attempt, "
        "max_attempts, created_at, updated_at) "
    )
    if backend == "sqlite":
        from hookpoint.store._sqlite import SQLiteStore

        assert isinstance(store, SQLiteStore)

        def fill(conn: Any) -> None:
            conn.execute(
                "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20000) "
                + finished
                + "SELECT printf('00%020d', i), 'r', 'e', 'j', '1', 'succeeded', 1, 1, 0, 0 FROM c"
            )
            conn.execute("ANALYZE")

        await store._write(fill, "fill")
    else:
        from hookpoint.store._postgres import PostgresStore

        assert isinstance(store, PostgresStore)
        assert store._pool is not None
        await store._pool.execute(
            finished + "SELECT '00' || i, 'r', 'e', 'j', '1', 'succeeded', 1, 1, 0, 0 "
            "FROM generate_series(1, 20000) AS i"
        )
        await store._pool.execute("ANALYZE")
    for _ in range(3):
        await asyncio.gather(*(store.ingest(make_request()) for _ in range(100)))
    await store.claim_runs("w", limit=150, lease_seconds=300)
    now = time.time()

    if backend == "sqlite":
        import sqlite3

        from hookpoint.store._sqlite import SQLiteStore

        assert isinstance(store, SQLiteStore)
        conn = sqlite3.connect(store.path)
        try:
            reap = " ".join(
                str(r[3])
                for r in conn.execute(
                    "EXPLAIN QUERY PLAN SELECT id, attempt, max_attempts FROM runs INDEXED BY "
                    "runs_leases WHERE status = 'running' AND lease_expires_at <= ? "
                    "ORDER BY lease_expires_at LIMIT 10",
                    (now,),
                )
            )
            claim = " ".join(
                str(r[3])
                for r in conn.execute(
                    "EXPLAIN QUERY PLAN SELECT id FROM runs INDEXED BY runs_due WHERE "
                    "status = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, id "
                    "LIMIT 10",
                    (now,),
                )
            )
        finally:
            conn.close()
        assert "runs_leases" in reap
        assert "runs_due" in claim and "TEMP B-TREE" not in claim
    else:
        from hookpoint.store import _postgres as pg

        assert isinstance(store, pg.PostgresStore) and store._pool is not None
        reap = "\n".join(r[0] for r in await store._pool.fetch("EXPLAIN " + pg._REAP_SQL, now))
        claim = "\n".join(
            r[0]
            for r in await store._pool.fetch(
                "EXPLAIN " + pg._CLAIM_SQL, now, 10, "w", now + 30, None, None
            )
        )
        assert "runs_leases" in reap, reap
        assert "runs_due" in claim, claim
        assert "Seq Scan on runs" not in reap + claim
        # ownership checks go by primary key, not through the (stale-stats) lease index
        finish = "\n".join(
            r[0]
            for r in await store._pool.fetch(
                "EXPLAIN " + pg.end_attempt_sql("status = 'succeeded'"),
                "some-run",
                "w",
                1,
                now,
                "succeeded",
                None,
                None,
            )
        )
        heartbeat = "\n".join(
            r[0]
            for r in await store._pool.fetch(
                "EXPLAIN UPDATE runs SET lease_expires_at = $1 WHERE id = ANY($2::text[]) "
                "AND lease_owner = $3 RETURNING id",
                now,
                ["a", "b"],
                "w",
            )
        )
        assert "runs_pkey" in finish and "runs_leases" not in finish, finish
        assert "runs_pkey" in heartbeat and "runs_leases" not in heartbeat, heartbeat
        # a destination's global limit counts its running runs through the partial index of
        # running runs, never through runs_job (every run the job ever had)
        from hookpoint.store._pg_common import POSTGRES
        from hookpoint.store._queries import running_counts

        step = next(running_counts(POSTGRES, ["j"], now))
        count = "\n".join(
            r[0] for r in await store._pool.fetch("EXPLAIN " + step.sql, *step.values)
        )
        assert "runs_leases" in count and "runs_job" not in count, count


async def test_dashboard_sessions_live_until_revoked_or_expired(store: Store) -> None:
    """Logout must end a session for every process on the store (the dashboard checks it on
    every page); expired sessions are dropped when a new one is recorded."""
    now = time.time()
    await store.create_session("a" * 64, expires_at=now + 60)
    await store.create_session("b" * 64, expires_at=now + 60)
    assert await store.session_active("a" * 64, now)
    assert not await store.session_active("a" * 64, now + 61)  # expired
    assert not await store.session_active("c" * 64, now)  # never created
    await store.revoke_session("a" * 64)
    assert not await store.session_active("a" * 64, now)
    assert await store.session_active("b" * 64, now)  # only the one logged out
    await store.revoke_session("a" * 64)  # twice, or unknown: no error
    await store.create_session("d" * 64, expires_at=now - 1)
    assert not await store.session_active("d" * 64, now)


async def test_a_log_line_the_store_refuses_fails_alone(store: Store) -> None:
    """Log lines share the store's write batches with ingests (PostgreSQL's group commit): one
    that cannot be stored (a NUL in a PostgreSQL text column) fails its own append, never the
    deliveries committed beside it, and the lines around it are kept."""
    run_id = await ingest_one_run(store)
    bad = LogLine(run_id, 1, time.time(), "info", "nul \x00 here", None)
    good = LogLine(run_id, 1, time.time(), "info", "fine", {"n": 1})
    results = await asyncio.gather(
        store.append_logs([bad]),
        *(store.ingest(make_request()) for _ in range(5)),
        store.append_logs([good]),
        return_exceptions=True,
    )
    ingested = results[1:6]
    assert all(isinstance(r, IngestResult) and not r.duplicate for r in ingested), results
    assert isinstance(results[6], type(None)), results
    lines = await store.list_logs(run_id)
    assert "fine" in [ln.message for ln in lines]
    if isinstance(results[0], BaseException):
        assert isinstance(results[0], StoreError), results[0]
    else:  # a backend that can hold the NUL keeps the line as it was
        assert "nul \x00 here" in [ln.message for ln in lines]


async def test_a_claim_takes_over_an_expired_lease_on_its_own_clock(store: Store) -> None:
    """Claims at the current time (no ``now=``) reap expired leases too: PostgreSQL reaps at
    most every 0.1 s, so a lease that ran out is taken over that much later at most."""
    run_id = await ingest_one_run(store, max_attempts=3)
    [first] = await store.claim_runs("w1", limit=1, lease_seconds=0.3)
    assert await store.claim_runs("w2", limit=1, lease_seconds=30) == []
    await asyncio.sleep(0.45)
    [second] = await store.claim_runs("w2", limit=1, lease_seconds=30)
    assert second.run.id == run_id and second.attempt == first.attempt + 1
    assert [a.status for a in await store.list_attempts(run_id)] == ["lost", "running"]


@pytest.mark.parametrize("group_commit", [True, False])
async def test_concurrent_finishes_each_get_their_own_answer(
    store_factory: StoreFactory, group_commit: bool
) -> None:
    """Finishes written together (PostgreSQL's group commit puts them in one statement with the
    ingests) each answer for their own run: the ones still leased take effect, with their
    output and attempt detail; a stale one (an attempt no longer held) does not."""
    store = await store_factory(group_commit=group_commit)
    for _ in range(6):
        await ingest_one_run(store)
    claimed = await store.claim_runs("w", limit=6, lease_seconds=30)
    assert len(claimed) == 6
    stale = claimed[0]
    results = await asyncio.gather(
        store.finish_run("w", stale.run.id, stale.attempt + 1, output={"stale": True}),
        *(
            store.finish_run("w", c.run.id, c.attempt, output={"n": i}, detail={"status": 200})
            for i, c in enumerate(claimed[1:])
        ),
        *(store.ingest(make_request()) for _ in range(4)),
    )
    assert results[:6] == [False, True, True, True, True, True]
    for i, c in enumerate(claimed[1:]):
        run = await store.get_run(c.run.id)
        assert run is not None and run.status == "succeeded" and run.output == {"n": i}
        [attempt] = await store.list_attempts(c.run.id)
        assert attempt.status == "succeeded" and attempt.detail == {"status": 200}
    still = await store.get_run(stale.run.id)
    assert still is not None and still.status == "running" and still.output is None
