"""Claim-to-start latency and run throughput of the run engine.

    .venv/bin/python bench/claim_latency.py [--url URL] [--runs N] [--burst N] [--concurrency C]

Two measurements on one store (default: a fresh SQLite file in a temp directory):

* **idle**: one run at a time is queued while the worker is idle; latency = the job's start minus
  the moment ``ingest`` returned (the commit). This is the wake-up path (in-process event for
  SQLite, LISTEN/NOTIFY for PostgreSQL) plus claim plus task start.
* **burst**: ``--burst`` runs are queued at once; reports the time until all have finished
  (runs/s) and the start latency percentiles under that backlog.

The job does nothing (``return None``), so this measures the engine and the store, not user code.
For PostgreSQL pass ``--url postgresql://...`` (tables go to a throwaway schema, dropped after).
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hookpoint._engine import Worker
from hookpoint._retry import RetryPolicy
from hookpoint.store import NewRequest, NewRun, Store, new_id, open_store


@dataclass
class BenchJob:
    id: str
    run: Callable[..., Any]
    version: str = "1"
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: float | None = None
    concurrency: int | None = None


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(name: str, ms: list[float]) -> str:
    return (
        f"{name}: n={len(ms)} p50={pct(ms, 0.5):.2f} ms p95={pct(ms, 0.95):.2f} ms "
        f"p99={pct(ms, 0.99):.2f} ms max={max(ms):.2f} ms mean={statistics.fmean(ms):.2f} ms"
    )


async def queue(store: Store) -> tuple[str, float]:
    result = await store.ingest(
        NewRequest(
            id=new_id(),
            endpoint_id="bench",
            method="POST",
            url="http://bench/webhooks/bench",
            headers=[("content-type", "application/json")],
            body=b"{}",
            received_at=time.time(),
            runs=[NewRun(job_id="noop", job_version="1", max_attempts=1)],
        )
    )
    return result.run_ids[0], time.perf_counter()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=None)
    parser.add_argument("--runs", type=int, default=300, help="idle, one-at-a-time runs")
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    schema = None
    if args.url and args.url.startswith(("postgres://", "postgresql://")):
        schema = f"hp_bench_{secrets.token_hex(4)}"
        import asyncpg

        conn = await asyncpg.connect(args.url)
        await conn.execute(f'CREATE SCHEMA "{schema}"')
        await conn.close()
        store = open_store(args.url, schema=schema)
    else:
        store = open_store(args.url or f"sqlite:///{Path(tmp.name) / 'bench.db'}")
    await store.open()

    started: dict[str, float] = {}
    done = asyncio.Event()
    expected = 0

    async def noop(request: Any, io: Any, ctx: Any) -> None:
        started[ctx.run_id] = time.perf_counter()
        if len(started) >= expected:
            done.set()

    worker = Worker(
        store,
        {"noop": BenchJob("noop", noop)},
        concurrency=args.concurrency,
        poll_interval=1.0,
    )
    try:
        async with worker:
            idle: list[float] = []
            for _ in range(args.runs):
                expected = len(started) + 1
                done.clear()
                run_id, t0 = await queue(store)
                await asyncio.wait_for(done.wait(), 10)
                idle.append((started[run_id] - t0) * 1000)
                await asyncio.sleep(0.005)  # let the worker go idle again
            print(summary("idle claim-to-start", idle))

            started.clear()
            expected = args.burst
            done.clear()
            t_begin = time.perf_counter()
            queued = await asyncio.gather(*(queue(store) for _ in range(args.burst)))
            t_queued = time.perf_counter()
            await asyncio.wait_for(done.wait(), 300)
            while worker.in_flight:
                await asyncio.sleep(0.001)
            t_end = time.perf_counter()
            burst = [(started[r] - t) * 1000 for r, t in queued]
            print(
                f"burst: {args.burst} runs queued in {t_queued - t_begin:.2f} s, all started "
                f"and finished {t_end - t_begin:.2f} s after the first was queued "
                f"({args.burst / (t_end - t_begin):.0f} runs/s incl. ingest)"
            )
            print(summary("burst claim-to-start", burst))
            print(f"worker stats: {worker.stats}")
    finally:
        await store.close()
        if schema is not None:
            import asyncpg

            conn = await asyncpg.connect(args.url)
            await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
            await conn.close()
        tmp.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
