"""At-least-once across a crash: a worker process is SIGKILLed mid-run; another worker takes the
run over once the dead worker's lease expires, and the attempt history shows both."""

from __future__ import annotations

import asyncio
import importlib.util
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

from hookpoint._engine import Worker
from hookpoint.store import NewRequest, NewRun, Store, new_id, open_store

pytestmark = pytest.mark.slow

HELPER = Path(__file__).with_name("engine_worker_proc.py")
LEASE = 1.5


def load_helper() -> ModuleType:
    name = "hookpoint_tests_engine_worker_proc"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, HELPER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


async def queue_run(store: Store, job_id: str, max_attempts: int = 3) -> str:
    result = await store.ingest(
        NewRequest(
            id=new_id(),
            endpoint_id="ep",
            method="POST",
            url="https://hooks.example.test/webhooks/ep",
            headers=[("content-type", "application/json")],
            body=b"{}",
            received_at=time.time(),
            runs=[NewRun(job_id=job_id, job_version="1.0.0", max_attempts=max_attempts)],
        )
    )
    return result.run_ids[0]


async def test_sigkilled_worker_run_completes_on_another_worker(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    store = open_store(url)
    await store.open()
    out_path = tmp_path / "victim.out"
    proc: subprocess.Popen[bytes] | None = None
    try:
        run_id = await queue_run(store, "sleepy")
        with out_path.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, str(HELPER), url, "--worker-id", "victim", "--lease", str(LEASE)],
                stdout=out,
                stderr=subprocess.STDOUT,
            )

        # Attempt 1 has started (and its log line is durable) in the victim process.
        deadline = time.monotonic() + 30
        while not any(line.message == "started" for line in await store.list_logs(run_id)):
            assert proc.poll() is None, out_path.read_text()
            assert time.monotonic() < deadline, out_path.read_text()
            await asyncio.sleep(0.05)
        record = await store.get_run(run_id)
        assert record is not None
        assert (record.status, record.attempt, record.lease_owner) == ("running", 1, "victim")

        proc.send_signal(signal.SIGKILL)
        assert await asyncio.to_thread(proc.wait, 10) == -signal.SIGKILL
        killed_at = time.time()

        survivor = Worker(
            store,
            load_helper().make_jobs(),
            http=None,
            worker_id="survivor",
            lease_seconds=1.0,
            poll_interval=0.05,
        )
        await survivor.run_until_idle(30)

        record = await store.get_run(run_id)
        assert record is not None
        assert record.status == "succeeded", record
        assert record.output == {"attempt": 2, "worker": "survivor"}
        attempts = await store.list_attempts(run_id)
        assert [(a.number, a.worker, a.status) for a in attempts] == [
            (1, "victim", "lost"),
            (2, "survivor", "succeeded"),
        ]
        assert attempts[0].error is not None and "lease expired" in attempts[0].error
        # Taken over only after the victim's lease ran out, not before.
        assert attempts[1].started_at >= record.created_at
        assert attempts[1].started_at > killed_at - 0.1
        logs = await store.list_logs(run_id)
        assert [(x.attempt, x.message) for x in logs] == [
            (1, "started"),
            (2, "started"),
            (2, "finished"),
        ]
        assert logs[0].data == {"attempt": 1, "worker": "victim"}
        assert logs[1].data == {"attempt": 2, "worker": "survivor"}
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(10)
        await store.close()


async def test_sigterm_releases_the_run_for_the_next_worker(tmp_path: Path) -> None:
    """The graceful path of the same process: SIGTERM → stop → release (no lease wait)."""
    url = f"sqlite:///{tmp_path / 'term.db'}"
    store = open_store(url)
    await store.open()
    out_path = tmp_path / "term.out"
    proc: subprocess.Popen[bytes] | None = None
    try:
        run_id = await queue_run(store, "sleepy")
        with out_path.open("wb") as out:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    str(HELPER),
                    url,
                    "--worker-id",
                    "leaver",
                    "--lease",
                    "30",
                    "--graceful",
                    "0.3",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while not any(line.message == "started" for line in await store.list_logs(run_id)):
            assert proc.poll() is None, out_path.read_text()
            assert time.monotonic() < deadline, out_path.read_text()
            await asyncio.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        # The run outlasts the 0.3 s graceful timeout: it is released at once.
        assert await asyncio.to_thread(proc.wait, 20) == 0, out_path.read_text()
        record = await store.get_run(run_id)
        assert record is not None
        assert (record.status, record.lease_owner) == ("queued", None), record

        t0 = time.monotonic()
        survivor = Worker(
            store,
            load_helper().make_jobs(),
            worker_id="next",
            lease_seconds=30.0,
            poll_interval=0.05,
        )
        await survivor.run_until_idle(10)
        assert time.monotonic() - t0 < 5  # no waiting for a 30 s lease
        attempts = await store.list_attempts(run_id)
        assert [(a.number, a.worker, a.status) for a in attempts] == [
            (1, "leaver", "released"),
            (2, "next", "succeeded"),
        ]
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(10)
        await store.close()
