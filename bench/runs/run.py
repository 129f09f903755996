"""Runs benchmark: how fast workers execute runs, and how soon an accepted request's run starts.

    python bench/runs/run.py [--quick] [--backends sqlite,postgres] [--seconds 8] [--fill 20]
                             [--load-seconds 20] [--json F] [--markdown F]

Uses ``bench/runs/runs_app.py`` (the ingest benchmark's signed cal.com endpoint; every request
queues one run of a trivial async job that returns at once). Per backend:

1. **Ingest, c16**: ``hookpoint serve --no-worker`` on a fresh store, wrk c16 for ``--fill``
   seconds: its requests/s is the ingest rate the workers must keep up with, and the runs it
   queued are the backlog for step 2.
2. **Runs/s**: ``hookpoint worker`` processes (one and two, ``--concurrency`` 1 and 16) drain
   that backlog for ``--seconds`` each (the window ends early when the queue runs dry; the
   queue is filled again before a shape when less than half of it is left); runs/s = attempts
   finished in the window / its length (from the store's attempt records), with the workers'
   CPU time per run.
3. **Accept-to-run-start under load**: ``hookpoint serve`` with its in-process worker ON
   (concurrency 16) on a fresh store; its maximum ingest rate (wrk c16), then open-loop paced
   load (``bench/_loadgen.py``) at 50% and 80% of it for ``--load-seconds`` each: p50/p99 of
   (first attempt's start - the run's creation), the runs still queued at the end of each phase
   (flat = the workers keep up) and the runs finished per second meanwhile.

``--quick``: SQLite only, short phases.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402
    VENV_BIN,
    bench_env,
    free_port,
    group_cpu_seconds,
    markdown_table,
    percentile,
    pg_url,
    report,
    reset_pg_schema,
    run_wrk,
    start,
    stop,
)
from bench._loadgen import paced  # noqa: E402
from bench.ingest.openloop import payloads  # noqa: E402
from bench.ingest.run import PATH, SECRET, host_cmd, lua_script, sample_bodies  # noqa: E402

APP = "bench.runs.runs_app:hp"
SHAPES = [(1, 1), (1, 16), (2, 1), (2, 16)]
"""(worker processes, concurrency of each)."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--backends", default="sqlite,postgres")
    ap.add_argument("--fill", type=int, default=20, help="seconds of ingest that fill the queue")
    ap.add_argument("--seconds", type=float, default=8, help="per worker shape")
    ap.add_argument("--load-seconds", type=float, default=20, help="per paced ingest rate")
    ap.add_argument("--fractions", default="0.5,0.8")
    ap.add_argument("--json", dest="json_out", default=None)
    ap.add_argument("--markdown", default=None)
    args = ap.parse_args(argv)
    if args.quick:
        args.backends, args.fill, args.seconds, args.load_seconds = "sqlite", 4, 3, 4
    return args


class Probe:
    """Read-only queries on the benchmark's store (raw SQL, both backends)."""

    def __init__(self, backend: str, target: str) -> None:
        self.backend = backend
        self.target = target  # a SQLite file or a PostgreSQL schema

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        if self.backend == "sqlite":
            conn = sqlite3.connect(self.target, timeout=30)
            try:
                return [tuple(r) for r in conn.execute(sql, params).fetchall()]
            finally:
                conn.close()

        async def go() -> list[tuple[Any, ...]]:
            import asyncpg

            from bench._common import PG_DSN

            conn = await asyncpg.connect(PG_DSN, server_settings={"search_path": self.target})
            try:
                n = 0
                out = ""
                for ch in sql:  # ? placeholders -> $1, $2, ...
                    if ch == "?":
                        n += 1
                        out += f"${n}"
                    else:
                        out += ch
                return [tuple(r) for r in await conn.fetch(out, *params)]
            finally:
                await conn.close()

        return asyncio.run(go())

    def queued(self) -> int:
        return int(
            self.rows("SELECT count(*) FROM runs WHERE status IN ('queued', 'running')")[0][0]
        )

    def finished_between(self, t0: float, t1: float) -> int:
        return int(
            self.rows(
                "SELECT count(*) FROM attempts WHERE finished_at >= ? AND finished_at < ?", t0, t1
            )[0][0]
        )

    def start_delays(self, t0: float, t1: float) -> list[float]:
        """ms from a run's creation to its first attempt's start, for runs created in [t0, t1)."""
        rows = self.rows(
            "SELECT r.created_at, min(a.started_at) FROM runs r JOIN attempts a ON a.run_id = r.id "
            "WHERE r.created_at >= ? AND r.created_at < ? GROUP BY r.id, r.created_at",
            t0,
            t1,
        )
        return sorted((float(s) - float(c)) * 1000 for c, s in rows)


def store_for(backend: str, tmp: Path, name: str) -> tuple[str, Probe]:
    if backend == "sqlite":
        path = tmp / f"{name}.db"
        return f"sqlite:///{path}", Probe("sqlite", str(path))
    reset_pg_schema(name)
    return pg_url(name), Probe("postgres", name)


def fill(url: str, seconds: float, script: Path, env: dict[str, str]) -> float:
    """Queue runs by ingesting for ``seconds`` (host without a worker, wrk c16); its req/s."""
    port = free_port()
    host = start(host_cmd(APP, port, url, 1, False), port, env)
    try:
        target = f"http://127.0.0.1:{port}{PATH}"
        run_wrk(target, 16, 2, script)
        return run_wrk(target, 16, seconds, script)["rps"]
    finally:
        stop(host)


def worker_throughput(
    backend: str, args: argparse.Namespace, tmp: Path, script: Path, env: dict[str, str]
) -> tuple[float, list[dict[str, Any]]]:
    url, probe = store_for(backend, tmp, "hp_runs_fill")
    ingest = fill(url, args.fill, script, env)
    print(f"{backend}: ingest c16 {ingest:.0f} req/s; backlog {probe.queued()} runs", flush=True)
    rows = []
    for processes, concurrency in SHAPES:
        if probe.queued() < ingest * args.fill / 2:  # the last shape ate most of the backlog
            fill(url, args.fill, script, env)
        cmd = [str(VENV_BIN / "hookpoint"), "worker", APP, "--database-url", url]
        cmd += ["--concurrency", str(concurrency)]
        workers = [start(cmd, None, env) for _ in range(processes)]
        try:
            time.sleep(2)  # start-up and the first claims
            cpu0 = sum(group_cpu_seconds(w.pid) for w in workers)
            t0 = time.time()
            t1 = t0 + args.seconds
            while time.time() < t1:  # the window ends early if the backlog runs dry
                time.sleep(0.25)
                if probe.queued() == 0:
                    t1 = time.time()
                    break
            t1 = min(t1, time.time())
            cpu = sum(group_cpu_seconds(w.pid) for w in workers) - cpu0
        finally:
            for w in workers:
                stop(w)
        done = probe.finished_between(t0, t1)
        left = probe.queued()
        rows.append(
            {
                "backend": backend,
                "processes": processes,
                "concurrency": concurrency,
                "runs_per_s": done / (t1 - t0),
                "seconds": t1 - t0,
                "ingest_per_s": ingest,
                "backlog_left": left,
                "cpu_us": 1e6 * cpu / max(1, done),
            }
        )
        print(
            f"{backend}: {processes} worker(s) x concurrency {concurrency}: "
            f"{done / (t1 - t0):.0f} runs/s over {t1 - t0:.1f} s (ingest c16 {ingest:.0f}/s), "
            f"{1e6 * cpu / max(1, done):.0f} µs worker CPU a run; {left} left",
            flush=True,
        )
    return ingest, rows


def start_latency(
    backend: str, args: argparse.Namespace, tmp: Path, script: Path, env: dict[str, str]
) -> list[dict[str, Any]]:
    url, probe = store_for(backend, tmp, "hp_runs_load")
    port = free_port()
    requests = payloads(sample_bodies(2000))
    host = start(host_cmd(APP, port, url, 1, True), port, env)
    rows = []
    try:
        target = f"http://127.0.0.1:{port}{PATH}"
        run_wrk(target, 16, 2, script)
        peak = run_wrk(target, 16, 5 if args.quick else 8, script)["rps"]
        deadline = time.time() + 120
        while probe.queued() > 0 and time.time() < deadline:  # the probe's backlog drains
            time.sleep(0.5)
        for fraction in [float(f) for f in args.fractions.split(",")]:
            before = probe.queued()
            t0 = time.time()
            result = asyncio.run(paced(port, requests, peak * fraction, args.load_seconds))
            t1 = time.time()
            time.sleep(1)  # the last runs of the phase start
            delays = probe.start_delays(t0, t1)
            row = {
                "backend": backend,
                "fraction": fraction,
                "peak": peak,
                "ingest_per_s": result.ok / (t1 - t0),
                "runs_per_s": probe.finished_between(t0, t1) / (t1 - t0),
                "p50": percentile(delays, 0.5),
                "p99": percentile(delays, 0.99),
                "samples": len(delays),
                "queued_before": before,
                "queued_after": probe.queued(),
                "non2xx": result.sent - result.ok,
                "statuses": {str(k): v for k, v in sorted(result.statuses.items())},
                "resent": result.resent,
            }
            rows.append(row)
            print(
                f"{backend}: {fraction:.0%} of {peak:.0f}: accept-to-start p50 {row['p50']:.1f} "
                f"p99 {row['p99']:.1f} ms; runs {row['runs_per_s']:.0f}/s vs ingest "
                f"{row['ingest_per_s']:.0f}/s; queue {before} -> {row['queued_after']}; "
                f"answers {row['statuses']}, {result.resent} resent on a new connection",
                flush=True,
            )
    finally:
        stop(host)
    return rows


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="hp-runs-"))
    script = tmp / "post.lua"
    lua_script(script, sample_bodies(2000))
    env = bench_env(BENCH_SECRET=SECRET)
    throughput: list[dict[str, Any]] = []
    latency: list[dict[str, Any]] = []
    for backend in args.backends.split(","):
        throughput += worker_throughput(backend, args, tmp, script, env)[1]
        latency += start_latency(backend, args, tmp, script, env)
    table1 = markdown_table(
        [
            "backend",
            "worker processes",
            "concurrency",
            "runs/s",
            "ingest/s at c16",
            "runs / ingest",
            "worker CPU µs / run",
        ],
        [
            [
                r["backend"],
                r["processes"],
                r["concurrency"],
                f"{r['runs_per_s']:,.0f}",
                f"{r['ingest_per_s']:,.0f}",
                f"{r['runs_per_s'] / r['ingest_per_s']:.2f}",
                f"{r['cpu_us']:.0f}",
            ]
            for r in throughput
        ],
    )
    table2 = markdown_table(
        [
            "backend",
            "ingest load",
            "ingest/s",
            "runs finished/s",
            "accept-to-start p50 ms",
            "p99 ms",
            "queued before → after",
            "non-2xx",
        ],
        [
            [
                r["backend"],
                f"{r['fraction']:.0%} of {r['peak']:,.0f}",
                f"{r['ingest_per_s']:,.0f}",
                f"{r['runs_per_s']:,.0f}",
                f"{r['p50']:.1f}",
                f"{r['p99']:.1f}",
                f"{r['queued_before']} → {r['queued_after']}",
                r["non2xx"],
            ]
            for r in latency
        ],
    )
    report(args, table1 + "\n" + table2, {"throughput": throughput, "latency": latency})


if __name__ == "__main__":
    main()
