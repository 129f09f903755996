"""A worker process for the engine's subprocess tests (not a test module itself).

    python tests/engine_worker_proc.py URL --worker-id ID [--lease S] [--concurrency N]
        [--poll S] [--graceful S] [--record FILE] [--schema NAME]

Runs a :class:`hookpoint._engine.Worker` with the jobs of :func:`make_jobs` on the store at
``URL`` until SIGTERM/SIGINT (then stops gracefully and exits 0). Prints ``ready`` once claiming.

Jobs:

* ``sleepy`` - logs "started"; on attempt 1 sleeps for an hour (the crash test SIGKILLs the
  process meanwhile); on later attempts logs "finished" and returns ``{"attempt", "worker"}``.
* ``count`` - appends ``{"run", "attempt", "worker", "start", "end"}`` to ``--record`` (one JSON
  line per execution), sleeping a few ms in between; attempt 1 of every 7th run fails so retries
  travel between workers too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hookpoint._engine import Worker
from hookpoint._retry import RetryPolicy
from hookpoint._runio import IO, RunContext
from hookpoint.store import open_store


@dataclass
class ProcJob:
    id: str
    run: Callable[..., Any]
    version: str = "1.0.0"
    retry: RetryPolicy = field(
        default_factory=lambda: RetryPolicy(max_attempts=5, initial_delay=0.05, jitter=0)
    )
    timeout: float | None = None
    concurrency: int | None = None


def make_jobs(record: str | None = None) -> dict[str, ProcJob]:
    async def sleepy(request: Any, io: IO, ctx: RunContext) -> dict[str, Any]:
        await io.logger.info("started", {"attempt": ctx.attempt, "worker": ctx.worker_id})
        if ctx.attempt == 1:
            await asyncio.sleep(3600)
        await io.logger.info("finished", {"attempt": ctx.attempt})
        return {"attempt": ctx.attempt, "worker": ctx.worker_id}

    async def count(request: Any, io: IO, ctx: RunContext) -> int:
        start = time.time()
        await asyncio.sleep(random.uniform(0, 0.005))
        end = time.time()
        if record is not None:
            line = {
                "run": ctx.run_id,
                "attempt": ctx.attempt,
                "worker": ctx.worker_id,
                "start": start,
                "end": end,
            }
            with open(record, "a", encoding="utf-8") as f:
                f.write(json.dumps(line) + "\n")
        if ctx.attempt == 1 and zlib.crc32(ctx.run_id.encode()) % 7 == 0:
            raise RuntimeError("attempt 1 of every 7th run fails")
        return ctx.attempt

    return {
        "sleepy": ProcJob("sleepy", sleepy),
        "count": ProcJob("count", count),
    }


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--worker-id", required=True)
    parser.add_argument("--lease", type=float, default=1.5)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--poll", type=float, default=0.05)
    parser.add_argument("--record", default=None)
    parser.add_argument("--graceful", type=float, default=5.0)
    parser.add_argument("--schema", default=None, help="PostgreSQL schema (tests use their own)")
    args = parser.parse_args(argv)

    store = open_store(args.url, **({"schema": args.schema} if args.schema else {}))
    await store.open()
    worker = Worker(
        store,
        make_jobs(args.record),
        http=None,
        worker_id=args.worker_id,
        concurrency=args.concurrency,
        lease_seconds=args.lease,
        poll_interval=args.poll,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await worker.start()
        print("ready", flush=True)
        await stop.wait()
    finally:
        await worker.stop(graceful_timeout=args.graceful)
        await store.close()
    print(f"stopped {os.getpid()} {worker.stats}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
