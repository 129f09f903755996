"""The run engine (Worker, IO, RunContext) against the real stores: SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from hookpoint._engine import RunnableJob, Worker
from hookpoint._errors import DoNotRetry, RetryAfter, StoreUnavailable
from hookpoint._request import WebhookRequest
from hookpoint._retry import RetryPolicy
from hookpoint._runio import IO, RunContext
from hookpoint.store import NewRequest, NewRun, Store, new_id

TESTS = Path(__file__).parent
FAST = RetryPolicy(max_attempts=3, initial_delay=0.02, factor=2.0, jitter=0)


@dataclass
class Job:
    id: str
    run: Callable[..., Any]
    version: str = "1.0.0"
    retry: RetryPolicy = FAST
    timeout: float | None = 10.0
    concurrency: int | None = None


def _store_conftest() -> ModuleType:
    """The store tests' fixtures: ``store`` runs each test on SQLite and on PostgreSQL (its own
    schema; skipped when the server is unreachable, failed under CI=true)."""
    name = "hookpoint_tests_store_conftest"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, TESTS / "store" / "conftest.py")
        assert spec is not None and spec.loader is not None
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


backend = _store_conftest().backend
pg_schema = _store_conftest().pg_schema
store_factory = _store_conftest().store_factory
store = _store_conftest().store


def make_worker(store: Store, jobs: Mapping[str, RunnableJob], **kwargs: Any) -> Worker:
    options: dict[str, Any] = {
        "http": None,
        "concurrency": 8,
        "lease_seconds": 2.0,
        "heartbeat_interval": 0.1,
        "poll_interval": 0.02,
    }
    options.update(kwargs)
    return Worker(store, jobs, **options)


def jobs_of(*jobs: Job) -> dict[str, RunnableJob]:
    return {job.id: job for job in jobs}


async def ingest(
    store: Store,
    *job_ids: str,
    body: bytes = b'{"n": 1}',
    max_attempts: int = 3,
    event_type: str | None = "booking.cancelled",
) -> list[str]:
    """One request with one run per job id; returns the run ids."""
    result = await store.ingest(
        NewRequest(
            id=new_id(),
            endpoint_id="ep",
            method="POST",
            url="https://hooks.example.test/webhooks/ep?x=1&x=2",
            headers=[("Content-Type", "application/json"), ("X-Multi", "a"), ("X-Multi", "b")],
            body=body,
            received_at=1_700_000_000.25,
            client="203.0.113.9",
            event_type=event_type,
            event_id=new_id() if event_type else None,
            event_time=1_700_000_000.0 if event_type else None,
            runs=[
                NewRun(job_id=j, job_version="1.0.0", max_attempts=max_attempts) for j in job_ids
            ],
        )
    )
    return list(result.run_ids)


async def wait_until(predicate: Callable[[], Any], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


async def status_of(store: Store, run_id: str) -> str | None:
    run = await store.get_run(run_id)
    return None if run is None else run.status


# -- success ---------------------------------------------------------------------------------------


async def test_success_stores_output_logs_and_passes_request_and_ctx(store: Store) -> None:
    seen: dict[str, Any] = {}

    async def run(request: WebhookRequest, io: IO, ctx: RunContext) -> dict[str, Any]:
        seen["request"], seen["ctx"] = request, ctx
        body = await request.json()
        await io.logger.info("Body", body)
        await io.logger.debug("debug line")
        await io.logger.warn("warn line", {"k": [1, 2]})
        await io.logger.warning("warning line")
        await io.logger.error("error line", "text data")
        return {"doubled": body["n"] * 2}

    [run_id] = await ingest(store, "ok", body=b'{"n": 21}')
    worker = make_worker(store, jobs_of(Job("ok", run)), worker_id="w-1")
    await worker.run_until_idle(10)

    record = await store.get_run(run_id)
    assert record is not None
    assert record.status == "succeeded"
    assert record.output == {"doubled": 42}
    assert record.attempt == 1
    assert record.last_error is None
    attempts = await store.list_attempts(run_id)
    assert [(a.number, a.status, a.worker) for a in attempts] == [(1, "succeeded", "w-1")]
    logs = await store.list_logs(run_id)
    assert [(x.attempt, x.level, x.message, x.data) for x in logs] == [
        (1, "info", "Body", {"n": 21}),
        (1, "debug", "debug line", None),
        (1, "warn", "warn line", {"k": [1, 2]}),
        (1, "warn", "warning line", None),
        (1, "error", "error line", "text data"),
    ]
    assert [x.at for x in logs] == sorted(x.at for x in logs)

    request: WebhookRequest = seen["request"]
    assert request.method == "POST"
    assert request.url == "https://hooks.example.test/webhooks/ep?x=1&x=2"
    assert request.body == b'{"n": 21}'
    assert request.headers.get("content-type") == "application/json"
    assert request.headers.getlist("x-multi") == ["a", "b"]
    assert request.client == "203.0.113.9"
    assert request.received_at == datetime.fromtimestamp(1_700_000_000.25, UTC)
    assert request.received_at.tzinfo is not None
    assert request.endpoint_id == "ep"
    assert request.event is not None
    assert request.event.type == "booking.cancelled"
    assert request.event.time == datetime.fromtimestamp(1_700_000_000.0, UTC)

    ctx: RunContext = seen["ctx"]
    assert ctx.run_id == run_id
    assert ctx.attempt == 1 and ctx.max_attempts == 3 and not ctx.is_last_attempt
    assert ctx.job_id == "ok" and ctx.job_version == "1.0.0"
    assert ctx.endpoint_id == "ep"
    assert ctx.request_id == record.request_id
    assert ctx.event_type == "booking.cancelled"
    assert ctx.event_id == request.event.id
    assert ctx.worker_id == "w-1"
    assert ctx.replay_of is None
    with pytest.raises(AttributeError):
        ctx.attempt = 2  # type: ignore[misc]
    assert worker.stats.succeeded == 1 and worker.stats.claimed == 1


async def test_request_without_event_info(store: Store) -> None:
    events: list[Any] = []

    async def run(request: WebhookRequest, io: IO, ctx: RunContext) -> None:
        events.append((request.event, ctx.event_type, ctx.event_id))

    await ingest(store, "ok", event_type=None)
    await make_worker(store, jobs_of(Job("ok", run))).run_until_idle(10)
    assert events == [(None, None, None)]


async def test_run_logs_are_mirrored_to_python_logging(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    async def run(request: WebhookRequest, io: IO, ctx: RunContext) -> None:
        await io.logger.info("hello from the job", {"secret": "not in the mirror"})

    caplog.set_level(logging.INFO, logger="hookpoint.run")
    [run_id] = await ingest(store, "ok")
    await make_worker(store, jobs_of(Job("ok", run))).run_until_idle(10)
    [record] = [r for r in caplog.records if r.name == "hookpoint.run"]
    assert record.levelno == logging.INFO
    assert "hello from the job" in record.getMessage() and run_id in record.getMessage()
    assert "not in the mirror" not in record.getMessage()
    assert record.hookpoint_run_id == run_id  # type: ignore[attr-defined]


async def test_many_log_lines_keep_their_order(store: Store) -> None:
    async def run(request: WebhookRequest, io: IO, ctx: RunContext) -> None:
        for i in range(300):
            await io.logger.info(f"line {i}", {"i": i})
            if i % 50 == 0:
                await asyncio.sleep(0)

    [run_id] = await ingest(store, "ok")
    await make_worker(store, jobs_of(Job("ok", run))).run_until_idle(10)
    logs = await store.list_logs(run_id)
    assert [x.data for x in logs] == [{"i": i} for i in range(300)]


async def test_log_data_that_json_cannot_hold_is_kept_as_text(store: Store) -> None:
    class Thing:
        def __repr__(self) -> str:
            return "<Thing>"

    async def run(request: WebhookRequest, io: IO, ctx: RunContext) -> None:
        data = {"when": datetime(2024, 1, 2, tzinfo=UTC), "raw": b"\xffok", "obj": Thing()}
        await io.logger.info("odd data", data)
        data["when"] = "mutated after logging"  # the line is a snapshot

    [run_id] = await ingest(store, "ok")
    await make_worker(store, jobs_of(Job("ok", run))).run_until_idle(10)
    [line] = await store.list_logs(run_id)
    assert line.data == {"when": "2024-01-02T00:00:00+00:00", "raw": "\ufffdok", "obj": "<Thing>"}


async def test_non_json_return_value_is_not_stored(store: Store) -> None:
    async def run(request: WebhookRequest, io: IO, ctx: RunContext) -> object:
        return object()

    [run_id] = await ingest(store, "ok")
    await make_worker(store, jobs_of(Job("ok", run))).run_until_idle(10)
    record = await store.get_run(run_id)
    assert record is not None and record.status == "succeeded" and record.output is None
    [line] = await store.list_logs(run_id)
    assert line.level == "warn" and "not JSON data" in line.message


async def test_sync_job_runs_in_a_thread(store: Store) -> None:
    main_thread = threading.get_ident()

    def run(request: WebhookRequest, io: IO, ctx: RunContext) -> dict[str, Any]:
        io.logger.info("from a thread", {"attempt": ctx.attempt})  # no await in sync code
        time.sleep(0.05)  # blocking is fine: the loop keeps running
        return {"off_loop": threading.get_ident() != main_thread, "len": len(request.body)}

    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    tick_task = asyncio.create_task(ticker())
    ids = await ingest(store, "sync") + await ingest(store, "sync")
    await make_worker(store, jobs_of(Job("sync", run))).run_until_idle(10)
    tick_task.cancel()
    for run_id in ids:
        record = await store.get_run(run_id)
        assert record is not None and record.status == "succeeded"
        assert record.output == {"off_loop": True, "len": 8}
        [line] = await store.list_logs(run_id)
        assert (line.message, line.data) == ("from a thread", {"attempt": 1})
    assert ticks > 5


# -- failures and retries --------------------------------------------------------------------------


async def test_fails_twice_then_succeeds_with_growing_delays_and_replayed_tasks(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: dict[str, int] = {"a": 0, "b": 0}
    started: list[float] = []
    raised_at: list[float] = []
    retry_ats: list[float | None] = []

    def step_a(x: int) -> dict[str, int]:  # sync step: runs in a thread
        calls["a"] += 1
        return {"a": x}

    async def step_b() -> list[int]:
        calls["b"] += 1
        return [1, 2]

    async def run(request: WebhookRequest, io: IO, ctx: RunContext) -> Any:
        started.append(time.time())
        a = await io.run_task("a", step_a, 7)
        assert a == {"a": 7}
        if ctx.attempt == 1:
            raised_at.append(time.time())
            raise ValueError("first attempt fails after task a")
        b = await io.run_task("b", step_b)
        assert b == [1, 2]
        if ctx.attempt == 2:
            raised_at.append(time.time())
            raise ConnectionError("second attempt fails after task b")
        return {"a": a, "b": b, "attempt": ctx.attempt}

    real_fail = store.fail_attempt

    async def spy_fail(*args: Any, **kwargs: Any) -> bool:
        retry_ats.append(kwargs["retry_at"])
        return await real_fail(*args, **kwargs)

    monkeypatch.setattr(store, "fail_attempt", spy_fail)
    policy = RetryPolicy(max_attempts=5, initial_delay=0.1, factor=2.0, jitter=0)
    [run_id] = await ingest(store, "flaky", max_attempts=5)
    await make_worker(store, jobs_of(Job("flaky", run, retry=policy))).run_until_idle(10)

    record = await store.get_run(run_id)
    assert record is not None
    assert record.status == "succeeded"
    assert record.output == {"a": {"a": 7}, "b": [1, 2], "attempt": 3}
    assert calls == {"a": 1, "b": 1}  # steps that succeeded earlier were not run again
    attempts = await store.list_attempts(run_id)
    assert [(a.number, a.status) for a in attempts] == [
        (1, "failed"),
        (2, "failed"),
        (3, "succeeded"),
    ]
    assert attempts[0].error == "ValueError: first attempt fails after task a"
    assert attempts[1].error == "ConnectionError: second attempt fails after task b"
    # The worker scheduled the retries (the runs' next_attempt_at) 0.1 s and 0.2 s out, and no
    # attempt started before its time: the gaps between attempts grow.
    assert retry_ats[0] is not None and retry_ats[1] is not None
    delays = [retry_ats[0] - raised_at[0], retry_ats[1] - raised_at[1]]
    assert delays == [pytest.approx(0.1, abs=0.02), pytest.approx(0.2, abs=0.02)]
    assert started[1] >= retry_ats[0] and started[2] >= retry_ats[1]
    assert started[2] - started[1] > started[1] - started[0] >= 0.1
    logs = await store.list_logs(run_id)
    errors = [x for x in logs if x.level == "error"]
    assert [x.attempt for x in errors] == [1, 2]
    assert "ValueError: first attempt fails after task a" in errors[0].message
    assert "retrying" in errors[0].message
    assert "Traceback" in errors[0].data["traceback"]
    assert "first attempt fails" in errors[0].data["traceback"]


async def test_do_not_retry_fails_at_once(store: Store) -> None:
    class PermanentError(Exception):
        pass

    async def stop_now(request: WebhookRequest, io: IO, ctx: RunContext) -> None:
        raise DoNotRetry("bad payload, retrying will not help")

    async def typed(request: WebhookRequest, io: IO, ctx: RunContext) -> None:
        raise PermanentError("listed in do_not_retry")

    [r1, r2] = await ingest(store, "dnr", "typed", max_attempts=5)
    jobs = jobs_of(
        Job("dnr", stop_now),
        Job("typed", typed, retry=RetryPolicy(max_attempts=5, do_not_retry=(PermanentError,))),
    )
    worker = make_worker(store, jobs)
    await worker.run_until_idle(10)
    for run_id, error in [
        (r1, "DoNotRetry: bad payload, retrying will not help"),
        (r2, "PermanentError: listed in do_not_retry"),
    ]:
        record = await store.get_run(run_id)
        assert record is not None
        assert (record.status, record.attempt, record.last_error) == ("failed", 1, error)
        logs = await store.list_logs(run_id)
        assert "not retried" in logs[-1].message
    assert worker.stats.failed == 2 and worker.stats.retried == 0


async def test_retry_after_sets_the_delay_capped_and_within_max_attempts(store: Store) -> None:
    async def soon(request: WebhookRequest, io: IO, ctx: RunContext) -> str:
        if ctx.attempt == 1:
            io.attempt_detail = {"asked": 0.2}
            raise RetryAfter(0.2, "busy")
        return "done"

    async def never(request: WebhookRequest, io: IO, ctx: RunContext) -> None:
        raise RetryAfter(3600)

    [r1, r2] = await ingest(store, "soon", "never", max_attempts=2)
    # The backoff alone would wait a minute; an hour's Retry-After is capped at 0.3 s.
    slow = RetryPolicy(max_attempts=2, initial_delay=60, max_delay=60, jitter=0)
    capped = RetryPolicy(max_attempts=2, initial_delay=60, max_delay=0.3, jitter=0)
    worker = make_worker(
        store, jobs_of(Job("soon", soon, retry=slow), Job("never", never, retry=capped))
    )
    await worker.run_until_idle(10)
    done, dead = await store.get_run(r1), await store.get_run(r2)
    assert done is not None and (done.status, done.attempt, done.output) == ("succeeded", 2, "done")
    assert dead is not None and (dead.status, dead.attempt) == ("failed", 2)
    assert dead.last_error == "RetryAfter: retry after 3600s"
    first, second = await store.list_attempts(r1)
    assert first.detail == {"asked": 0.2} and second.detail is None
    assert 0.2 <= second.started_at - first.started_at < 5
    a1, a2 = await store.list_attempts(r2)
    assert a2.started_at - (a1.finished_at or 0) < 5


async def test_failing_every_time_dead_letters_after_max_attempts(store: Store) -> None:
    async def run(request: WebhookRequest, io: IO, ctx: RunContext) -> None:
        raise RuntimeError(f"boom {ctx.attempt}")

    [run_id] = await ingest(store, "bad", max_attempts=3)
    worker = make_worker(store, jobs_of(Job("bad", run)))
    await worker.run_until_idle(10)
    record = await store.get_run(run_id)
    assert record is not None
    assert (record.status, record.attempt) == ("failed", 3)
    assert record.last_error == "RuntimeError: boom 3"
    assert record.next_attempt_at is None
    attempts = await store.list_attempts(run_id)
    assert [(a.number, a.status, a.error) for a in attempts] == [
        (n, "failed", f"RuntimeError: boom {n}") for n in (1, 2, 3)
    ]
    logs = await store.list_logs(run_id)
    assert [x.attempt for x in logs if x.level == "error"] == [1, 2, 3]
    assert "no attempts left" in logs[-1].message
    assert worker.stats.retried == 2 and worker.stats.failed == 1


async def test_timeout_fails_the_attempt_and_the_worker_carries_on(store: Store) -> None:
    cancelled = asyncio.Event()

    async def forever(request: WebhookRequest, io: IO, ctx: RunContext) -> None:
        await io.logger.info("sleeping")
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def quick(request: WebhookRequest, io: IO, ctx: RunContext) -> str:
        return "done"

    one = RetryPolicy(max_attempts=1)
    jobs = jobs_of(Job("forever", forever, timeout=0.2, retry=one), Job("quick", quick))
    worker = make_worker(store, jobs, concurrency=1)
    async with worker:
        [slow_id] = await ingest(store, "forever", max_attempts=1)
        await wait_until(lambda: worker.stats.timeouts == 1)
        [quick_id] = await ingest(store, "quick")
        await worker.run_until_idle(10)
    assert cancelled.is_set()
    record = await store.get_run(slow_id)
    assert record is not None and record.status == "failed"
    assert record.last_error == "TimeoutError: the attempt exceeded the job's timeout of 0.2s"
    assert await status_of(store, quick_id) == "succeeded"


async def test_timeout_of_a_sync_job_frees_the_slot(store: Store) -> None:
    release = threading.Event()

    def stuck(request: WebhookRequest, io: IO, ctx: RunContext) -> None:
        release.wait(10)

    jobs = jobs_of(Job("stuck", stuck, timeout=0.2, retry=RetryPolicy(max_attempts=1)))
    worker = make_worker(store, jobs, concurrency=1)
    try:
        [r1, r2] = [
            *(await ingest(store, "stuck", max_attempts=1)),
            *(await ingest(store, "stuck", max_attempts=1)),
        ]
        await worker.run_until_idle(10)  # both time out one after the other on one slot
    finally:
        release.set()
    for run_id in (r1, r2):
        record = await store.get_run(run_id)
        assert record is not None and record.status == "failed"
        assert record.last_error is not None and "cannot be interrupted" in record.last_error
    assert worker.stats.timeouts == 2 and worker.stats.abandoned_threads == 2


async def test_a_job_raising_cancelled_error_itself_is_an_ordinary_failure(store: Store) -> None:
    async def run(request: WebhookRequest, io: IO, ctx: RunContext) -> None:
        raise asyncio.CancelledError

    [run_id] = await ingest(store, "odd", max_attempts=1)
    await make_worker(store, jobs_of(Job("odd", run))).run_until_idle(10)
    record = await store.get_run(run_id)
    assert record is not None and record.status == "failed"
    assert record.last_error == "CancelledError: raised by the job"


async def test_a_claimed_run_whose_job_vanished_fails_clearly(store: Store) -> None:
    class Vanishing(dict[str, RunnableJob]):
        """Lists the job (so its runs are claimed) but no longer has it when asked."""

        def get(self, key: str, default: Any = None) -> Any:
            return default

    async def run(request: WebhookRequest, io: IO, ctx: RunContext) -> None:
        raise AssertionError("never called")

    [run_id] = await ingest(store, "gone", max_attempts=5)
    await make_worker(store, Vanishing(gone=Job("gone", run))).run_until_idle(10)
    record = await store.get_run(run_id)
    assert record is not None and (record.status, record.attempt) == ("failed", 1)
    assert record.last_error is not None and "'gone' is not defined in this worker" in (
        record.last_error
    )


async def test_runs_of_unknown_jobs_are_not_claimed(store: Store) -> None:
    async def run(request: WebhookRequest, io: IO, ctx: RunContext) -> None:
        pass

    [mine, other] = await ingest(store, "mine", "someone-elses")
    await make_worker(store, jobs_of(Job("mine", run))).run_until_idle(10)
    assert await status_of(store, mine) == "succeeded"
    assert await status_of(store, other) == "queued"


# -- io --------------------------------------------------------------------------------------------


async def test_run_task_retries_in_process(store: Store) -> None:
    tries = 0

    async def flaky_step() -> str:
        nonlocal tries
        tries += 1
        if tries < 3:
            raise OSError(f"try {tries}")
        return "fine"

    async def run(request: WebhookRequest, io: IO, ctx: RunContext) -> Any:
        policy = RetryPolicy(max_attempts=3, initial_delay=0.01, jitter=0)
        return await io.run_task("step", flaky_step, retry=policy)

    [run_id] = await ingest(store, "ok")
    await make_worker(store, jobs_of(Job("ok", run))).run_until_idle(10)
    record = await store.get_run(run_id)
    assert record is not None and (record.status, record.attempt, record.output) == (
        "succeeded",
        1,
        "fine",
    )
    assert tries == 3
    logs = await store.list_logs(run_id)
    assert [x.message.split(":")[0] for x in logs] == [
        "Task 'step' try 1 failed",
        "Task 'step' try 2 failed",
    ]


async def test_run_task_rejects_results_json_cannot_hold(store: Store) -> None:
    async def run(request: WebhookRequest, io: IO, ctx: RunContext) -> Any:
        return await io.run_task("bad", lambda: {1, 2})

    [run_id] = await ingest(store, "ok", max_attempts=1)
    await make_worker(store, jobs_of(Job("ok", run))).run_until_idle(10)
    record = await store.get_run(run_id)
    assert record is not None and record.status == "failed"
    assert record.last_error is not None
    assert record.last_error.startswith("TypeError: io.run_task('bad'): the result of")
    assert "JSON-serialisable" in record.last_error


async def test_run_task_result_reads_the_same_on_every_attempt(store: Store) -> None:
    results: list[Any] = []

    async def run(request: WebhookRequest, io: IO, ctx: RunContext) -> None:
        results.append(await io.run_task("t", lambda: (1, {"k": (2, 3)})))
        if ctx.attempt == 1:
            raise RuntimeError("again")

    await ingest(store, "ok")
    await make_worker(store, jobs_of(Job("ok", run))).run_until_idle(10)
    assert results == [[1, {"k": [2, 3]}], [1, {"k": [2, 3]}]]


async def test_io_http_is_the_workers_client(store: Store) -> None:
    seen: list[Any] = []

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"path": request.url.path})

    async def run(request: WebhookRequest, io: IO, ctx: RunContext) -> Any:
        response = await io.http.get("https://api.example.test/ping")
        seen.append(io.http)
        await io.wait(0.001)
        return response.json()

    async def no_client(request: WebhookRequest, io: IO, ctx: RunContext) -> Any:
        return io.http

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        [with_client] = await ingest(store, "ok")
        await make_worker(store, jobs_of(Job("ok", run)), http=client).run_until_idle(10)
        assert seen == [client]
    [without] = await ingest(store, "nohttp", max_attempts=1)
    await make_worker(store, jobs_of(Job("nohttp", no_client))).run_until_idle(10)
    ok = await store.get_run(with_client)
    assert ok is not None and ok.output == {"path": "/ping"}
    failed = await store.get_run(without)
    assert failed is not None and failed.last_error is not None
    assert failed.last_error.startswith("RuntimeError: io.http is not available")


# -- cancellation, concurrency, shutdown -----------------------------------------------------------


async def test_cancelling_a_running_run_stops_its_task(store: Store) -> None:
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def run(request: WebhookRequest, io: IO, ctx: RunContext) -> None:
        await io.logger.info("started")
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def quick(request: WebhookRequest, io: IO, ctx: RunContext) -> str:
        return "ok"

    worker = make_worker(store, jobs_of(Job("long", run), Job("quick", quick)), concurrency=2)
    async with worker:
        [run_id] = await ingest(store, "long")
        await asyncio.wait_for(started.wait(), 5)
        assert await store.cancel_run(run_id)
        await asyncio.wait_for(cancelled.wait(), 5)  # noticed at the next heartbeat
        await wait_until(lambda: worker.in_flight == 0)
        [other] = await ingest(store, "quick")
        await worker.run_until_idle(10)
    assert await status_of(store, run_id) == "cancelled"
    assert await status_of(store, other) == "succeeded"
    assert worker.stats.cancelled == 1
    logs = await store.list_logs(run_id)
    assert [x.message for x in logs] == ["started", "Run cancelled; attempt 1 stopped"]


async def test_per_job_concurrency_limit(store: Store) -> None:
    current: dict[str, int] = {"limited": 0, "free": 0}
    peak: dict[str, int] = {"limited": 0, "free": 0}

    def tracked(name: str) -> Callable[..., Any]:
        async def run(request: WebhookRequest, io: IO, ctx: RunContext) -> None:
            current[name] += 1
            peak[name] = max(peak[name], current[name])
            await asyncio.sleep(0.05)
            current[name] -= 1

        return run

    for _ in range(10):
        await ingest(store, "limited", "free")
    jobs = jobs_of(Job("limited", tracked("limited"), concurrency=2), Job("free", tracked("free")))
    worker = make_worker(store, jobs, concurrency=8)
    await worker.run_until_idle(20)
    assert peak["limited"] == 2
    assert peak["free"] > 2  # the other job still used the remaining slots
    assert worker.stats.succeeded == 20


async def test_worker_concurrency_limit(store: Store) -> None:
    current = peak = 0

    async def run(request: WebhookRequest, io: IO, ctx: RunContext) -> None:
        nonlocal current, peak
        current += 1
        peak = max(peak, current)
        await asyncio.sleep(0.03)
        current -= 1

    for _ in range(12):
        await ingest(store, "j")
    await make_worker(store, jobs_of(Job("j", run)), concurrency=3).run_until_idle(20)
    assert peak == 3


async def test_a_run_frees_its_slot_while_its_outcome_is_committed(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``concurrency`` limits job code executing at once. A run whose code has returned gives
    its slot to the next run while its outcome is being committed, so a store that is slow to
    commit (a busy host: several ms a round trip) does not throttle short jobs; in all at most
    twice ``concurrency`` runs are claimed at a time."""
    executing = peak_executing = finishing = peak_finishing = 0
    overlapped = 0  # job code that started while another run's outcome was being committed

    async def run(request: WebhookRequest, io: IO, ctx: RunContext) -> None:
        nonlocal executing, peak_executing, overlapped
        executing += 1
        peak_executing = max(peak_executing, executing)
        overlapped += finishing > 0
        await asyncio.sleep(0)
        executing -= 1

    original = store.finish_run

    async def slow_finish(*args: Any, **kwargs: Any) -> bool:
        nonlocal finishing, peak_finishing
        finishing += 1
        peak_finishing = max(peak_finishing, finishing)
        try:
            await asyncio.sleep(0.5)
            return await original(*args, **kwargs)
        finally:
            finishing -= 1

    monkeypatch.setattr(store, "finish_run", slow_finish)
    run_ids = [r for _ in range(6) for r in await ingest(store, "j")]
    worker = make_worker(store, jobs_of(Job("j", run)), concurrency=1)
    await worker.run_until_idle(30)
    assert worker.stats.succeeded == 6
    assert [await status_of(store, r) for r in run_ids] == ["succeeded"] * 6
    assert peak_executing == 1  # the limit on job code holds
    assert peak_finishing == 2  # the next run did not wait for the commit; the cap held
    assert overlapped >= 3


async def test_graceful_stop_waits_for_short_runs(store: Store) -> None:
    started = asyncio.Event()

    async def run(request: WebhookRequest, io: IO, ctx: RunContext) -> str:
        started.set()
        await asyncio.sleep(0.2)
        return "finished during shutdown"

    worker = make_worker(store, jobs_of(Job("j", run)))
    await worker.start()
    [run_id] = await ingest(store, "j")
    await asyncio.wait_for(started.wait(), 5)
    await worker.stop(graceful_timeout=5)
    record = await store.get_run(run_id)
    assert record is not None and record.status == "succeeded"
    assert record.output == "finished during shutdown"


async def test_graceful_stop_releases_runs_that_outlast_it(store: Store) -> None:
    started = asyncio.Event()

    async def slow(request: WebhookRequest, io: IO, ctx: RunContext) -> str:
        await io.logger.info(f"attempt {ctx.attempt} started")
        if ctx.attempt == 1:
            started.set()
            await asyncio.sleep(3600)
        return f"done on attempt {ctx.attempt}"

    first = make_worker(store, jobs_of(Job("slow", slow)), worker_id="first")
    await first.start()
    [run_id] = await ingest(store, "slow")
    await asyncio.wait_for(started.wait(), 5)
    t0 = time.monotonic()
    await first.stop(graceful_timeout=0.2)
    assert time.monotonic() - t0 < 2
    record = await store.get_run(run_id)
    assert record is not None
    assert record.status == "queued"  # queued again, due now
    assert record.lease_owner is None
    assert first.stats.released == 1

    second = make_worker(store, jobs_of(Job("slow", slow)), worker_id="second")
    await second.run_until_idle(10)
    record = await store.get_run(run_id)
    assert record is not None and record.status == "succeeded"
    assert record.output == "done on attempt 2"
    attempts = await store.list_attempts(run_id)
    assert [(a.number, a.worker, a.status) for a in attempts] == [
        (1, "first", "released"),
        (2, "second", "succeeded"),
    ]
    logs = await store.list_logs(run_id)
    assert [(x.attempt, x.message) for x in logs] == [
        (1, "attempt 1 started"),
        (1, "Attempt 1 stopped: the worker is shutting down; the run is queued again"),
        (2, "attempt 2 started"),
    ]


async def test_a_lost_lease_stops_the_attempt(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def run(request: WebhookRequest, io: IO, ctx: RunContext) -> None:
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def nothing_owned(worker_id: str, run_ids: Any, lease_seconds: float) -> set[str]:
        return set()  # as if another worker had taken every run over

    worker = make_worker(store, jobs_of(Job("j", run)))
    async with worker:
        [run_id] = await ingest(store, "j")
        await asyncio.wait_for(started.wait(), 5)
        monkeypatch.setattr(store, "heartbeat", nothing_owned)
        await asyncio.wait_for(cancelled.wait(), 5)
        await wait_until(lambda: worker.in_flight == 0)
    assert worker.stats.lease_lost == 1
    logs = await store.list_logs(run_id)
    assert "lost the run's lease" in logs[-1].message


async def test_store_errors_while_claiming_do_not_kill_the_worker(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_claim = store.claim_runs
    failures = 0

    async def flaky_claim(*args: Any, **kwargs: Any) -> Any:
        nonlocal failures
        if failures < 1:
            failures += 1
            raise StoreUnavailable("database is locked (injected)")
        return await real_claim(*args, **kwargs)

    async def run(request: WebhookRequest, io: IO, ctx: RunContext) -> str:
        return "ok"

    monkeypatch.setattr(store, "claim_runs", flaky_claim)
    [run_id] = await ingest(store, "j")
    worker = make_worker(store, jobs_of(Job("j", run)))
    await worker.run_until_idle(10)
    assert await status_of(store, run_id) == "succeeded"
    assert worker.stats.store_errors == 1


async def test_run_forever_stops_on_cancel_and_releases(store: Store) -> None:
    started = asyncio.Event()

    async def run(request: WebhookRequest, io: IO, ctx: RunContext) -> None:
        started.set()
        await asyncio.sleep(3600)

    worker = make_worker(store, jobs_of(Job("j", run)))
    forever = asyncio.create_task(worker.run_forever())
    [run_id] = await ingest(store, "j")
    await asyncio.wait_for(started.wait(), 5)
    # stop() from elsewhere ends run_forever
    stopper = asyncio.create_task(worker.stop(graceful_timeout=0.05))
    await asyncio.wait_for(forever, 5)
    await stopper
    assert await status_of(store, run_id) == "queued"
    assert not worker.running


async def test_run_until_idle_times_out(store: Store) -> None:
    async def run(request: WebhookRequest, io: IO, ctx: RunContext) -> None:
        await asyncio.sleep(3600)

    await ingest(store, "j")
    worker = make_worker(store, jobs_of(Job("j", run)))
    with pytest.raises(TimeoutError):
        await worker.run_until_idle(0.3)
    assert not worker.running


def test_worker_validates_its_settings() -> None:
    store: Any = object()
    with pytest.raises(ValueError, match="concurrency"):
        Worker(store, {}, concurrency=0)
    with pytest.raises(ValueError, match="heartbeat_interval"):
        Worker(store, {}, lease_seconds=1.0, heartbeat_interval=1.0)
    with pytest.raises(ValueError, match="lease_seconds"):
        Worker(store, {}, lease_seconds=0)
    with pytest.raises(ValueError, match="poll_interval"):
        Worker(store, {}, poll_interval=0)
    worker = Worker(store, {}, lease_seconds=30)
    assert worker.heartbeat_interval == 10.0
    assert worker.worker_id.count(":") == 2
