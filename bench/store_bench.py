"""Store benchmark: durable ingest rate, one commit per request vs group commit, and
claim-to-start latency.

    .venv/bin/python bench/store_bench.py --backend both --seconds 4 --prefill 1000000

For each backend, on an empty store and on one pre-filled with ``--prefill`` requests (each
with a finished run, an attempt and a dedupe key), it measures ``Store.ingest`` calls per second
(each one a committed transaction: request + dedupe key + one run) at 1, 16 and 64 concurrent
callers, with ``group_commit=False`` (every ingest its own commit) and with group commit. Ratios
are against the one-commit-per-request rate at concurrency 1 on the empty store of the same
backend, measured in the same run. Then it measures claim-to-start latency: the time from an
ingest's commit returning to an idle worker (parked in ``wait_for_runs``) holding the claimed
run.

The request is a 1,502-byte JSON body with 8 headers, an event id (dedupe window 1 day) and one
job, like a typical provider delivery. No HTTP: this is the store alone.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "core" / "src"))

from hookpoint.store import NewRequest, NewRun, Store, new_id, open_store  # noqa: E402

DEFAULT_DSN = os.environ.get(
    "HOOKPOINT_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
BODY = (
    b'{"action":"opened","number":1347,"pull_request":{"url":"https://api.github.com/repos/'
    b'octocat/Hello-World/pulls/1347","id":1,"state":"open","title":"Amazing new feature",'
    b'"user":{"login":"octocat","id":1},"body":"Please pull these awesome changes in!"},'
    b'"repository":{"id":1296269,"name":"Hello-World","full_name":"octocat/Hello-World",'
    b'"private":false}}'
)
BODY = (BODY + b" " * 1502)[:1502]
HEADERS = (
    ("Host", "hooks.example.com"),
    ("User-Agent", "GitHub-Hookshot/044aadd"),
    ("Content-Type", "application/json"),
    ("Content-Length", "1502"),
    ("X-GitHub-Event", "pull_request"),
    ("X-GitHub-Hook-ID", "292430182"),
    ("X-Hub-Signature-256", "sha256=" + "ab" * 32),
    ("Accept", "*/*"),
)
RUNS = (NewRun(job_id="on-pull-request", job_version="1.0.0", max_attempts=8),)


def make_request() -> NewRequest:
    rid = new_id()
    return NewRequest(
        id=rid,
        endpoint_id="github",
        method="POST",
        url="https://hooks.example.com/webhooks/github",
        headers=HEADERS,
        body=BODY,
        received_at=time.time(),
        client="140.82.115.1",
        event_type="pull_request.opened",
        event_id=rid,
        event_time=time.time(),
        dedupe_window=86400.0,
        runs=RUNS,
    )


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


@dataclass
class Result:
    backend: str
    fill: str
    mode: str
    concurrency: int
    rate: float
    p50_ms: float
    p99_ms: float
    per_commit: float
    extra: dict[str, Any] = field(default_factory=dict)


# -- backends ----------------------------------------------------------------------------------


class Target:
    """Where a backend's store lives; ``fresh()`` gives an empty database."""

    name = ""

    async def fresh(self) -> None: ...

    def store(self, **options: Any) -> Store:
        raise NotImplementedError

    async def prefill(self, n: int) -> float:
        raise NotImplementedError

    async def cleanup(self) -> None: ...


class SQLiteTarget(Target):
    name = "sqlite"

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / "bench.db"

    async def fresh(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            await asyncio.to_thread(Path(f"{self.path}{suffix}").unlink, missing_ok=True)
        async with open_store(str(self.path)):
            pass

    def store(self, **options: Any) -> Store:
        return open_store(str(self.path), **options)

    async def prefill(self, n: int) -> float:
        started = time.perf_counter()

        def fill() -> None:
            conn = sqlite3.connect(self.path, isolation_level=None)
            try:
                # bulk load without a WAL (no other connection is open), then back to WAL
                conn.execute("PRAGMA journal_mode = DELETE")
                conn.execute("PRAGMA journal_mode = OFF")
                conn.execute("PRAGMA synchronous = OFF")
                conn.execute("PRAGMA cache_size = -262144")
                t0 = time.time() - 30 * 86400
                conn.execute("BEGIN")
                series = (
                    "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c "
                    f"WHERE i < {int(n)}) "
                )
                conn.execute(
                    series + "INSERT INTO requests (id, endpoint_id, method, url, body_size, "
                    "received_at, client, status, verification, event_type, event_id, event_time, "
                    "duplicate_of, headers, body) SELECT printf('00%024d', i), "
                    "'github', 'POST', 'https://hooks.example.com/webhooks/github', 1502, "
                    "?1 + i * 2.0, '140.82.115.1', 'accepted', 'verified', 'pull_request.opened', "
                    "printf('evt%024d', i), ?1 + i * 2.0, NULL, ?2, randomblob(1502) FROM c",
                    (t0, '[["Content-Type","application/json"]]'),
                )
                conn.execute(
                    series + "INSERT INTO runs (id, request_id, endpoint_id, job_id, job_version, "
                    "status, attempt, max_attempts, created_at, updated_at, next_attempt_at, "
                    "lease_owner, lease_expires_at, last_error, output, replay_of) SELECT "
                    "printf('00%024d', i), printf('00%024d', i), 'github', 'on-pull-request', "
                    "'1.0.0', 'succeeded', 1, 8, ?1 + i * 2.0, ?1 + i * 2.0 + 1, NULL, NULL, "
                    "NULL, NULL, '{\"ok\":true}', NULL FROM c",
                    (t0,),
                )
                conn.execute(
                    series + "INSERT INTO attempts (run_id, number, worker, started_at, "
                    "finished_at, status, error) SELECT printf('00%024d', i), 1, 'w', "
                    "?1 + i * 2.0, ?1 + i * 2.0 + 1, 'succeeded', NULL FROM c",
                    (t0,),
                )
                conn.execute(
                    series + "INSERT INTO dedupe_keys (endpoint_id, event_id, request_id, "
                    "created_at, expires_at) SELECT 'github', printf('evt%024d', i), "
                    "printf('00%024d', i), ?1 + i * 2.0, ?2 FROM c",
                    (t0, time.time() + 86400),
                )
                conn.execute("COMMIT")
                conn.execute("ANALYZE")
                conn.execute("PRAGMA journal_mode = WAL")
            finally:
                conn.close()

        await asyncio.to_thread(fill)
        return time.perf_counter() - started


class PostgresTarget(Target):
    name = "postgres"

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.schema = f"hp_bench_{os.getpid()}"

    async def _admin(self, sql: str, *args: Any) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.dsn)
        try:
            await conn.execute(sql, *args)
        finally:
            await conn.close()

    async def fresh(self) -> None:
        await self._admin(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')
        await self._admin(f'CREATE SCHEMA "{self.schema}"')
        async with open_store(self.dsn, schema=self.schema):
            pass

    def store(self, **options: Any) -> Store:
        return open_store(self.dsn, schema=self.schema, max_pool=16, **options)

    async def prefill(self, n: int) -> float:
        import asyncpg

        started = time.perf_counter()
        conn = await asyncpg.connect(self.dsn, server_settings={"search_path": self.schema})
        try:
            t0 = time.time() - 30 * 86400
            await conn.execute("SET synchronous_commit = off")
            async with conn.transaction():
                await conn.execute(
                    "INSERT INTO requests (id, endpoint_id, method, url, body_size, received_at, "
                    "client, status, verification, event_type, event_id, event_time, "
                    "duplicate_of, headers, body) SELECT '00' || lpad(i::text, 24, '0'), "
                    "'github', 'POST', 'https://hooks.example.com/webhooks/github', 1502, "
                    "$1 + i * 2.0, '140.82.115.1', 'accepted', 'verified', 'pull_request.opened', "
                    "'evt' || lpad(i::text, 24, '0'), $1 + i * 2.0, NULL, "
                    '\'[["Content-Type","application/json"]]\'::json, '
                    "convert_to(repeat(md5(i::text), 47), 'UTF8') "
                    "FROM generate_series(1, $2) AS i",
                    t0,
                    n,
                )
                await conn.execute(
                    "INSERT INTO runs (id, request_id, endpoint_id, job_id, job_version, status, "
                    "attempt, max_attempts, created_at, updated_at, output) "
                    "SELECT '00' || lpad(i::text, 24, '0'), '00' || lpad(i::text, 24, '0'), "
                    "'github', 'on-pull-request', '1.0.0', 'succeeded', 1, 8, $1 + i * 2.0, "
                    "$1 + i * 2.0 + 1, '{\"ok\":true}'::json FROM generate_series(1, $2) AS i",
                    t0,
                    n,
                )
                await conn.execute(
                    "INSERT INTO attempts (run_id, number, worker, started_at, finished_at, "
                    "status) SELECT '00' || lpad(i::text, 24, '0'), 1, 'w', $1 + i * 2.0, "
                    "$1 + i * 2.0 + 1, 'succeeded' FROM generate_series(1, $2) AS i",
                    t0,
                    n,
                )
                await conn.execute(
                    "INSERT INTO dedupe_keys (endpoint_id, event_id, request_id, created_at, "
                    "expires_at) SELECT 'github', 'evt' || lpad(i::text, 24, '0'), "
                    "'00' || lpad(i::text, 24, '0'), $1 + i * 2.0, $3 "
                    "FROM generate_series(1, $2) AS i",
                    t0,
                    n,
                    time.time() + 86400,
                )
            await conn.execute("VACUUM ANALYZE")
            await conn.execute("CHECKPOINT")
        finally:
            await conn.close()
        return time.perf_counter() - started

    async def cleanup(self) -> None:
        await self._admin(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')


# -- measurements ------------------------------------------------------------------------------


@asynccontextmanager
async def opened(store: Store) -> AsyncIterator[Store]:
    await store.open()
    try:
        yield store
    finally:
        await store.close()


async def ingest_rate(
    store: Store, concurrency: int, seconds: float
) -> tuple[float, list[float], float]:
    """Ingests/s with ``concurrency`` callers for ``seconds`` (after a short warm-up)."""
    latencies: list[float] = []
    stop = False
    counting = False
    count = 0

    async def caller() -> None:
        nonlocal count
        while not stop:
            req = make_request()
            t = time.perf_counter()
            await store.ingest(req)
            if counting:
                latencies.append(time.perf_counter() - t)
                count += 1

    tasks = [asyncio.create_task(caller()) for _ in range(concurrency)]
    await asyncio.sleep(min(0.5, seconds / 4))  # warm-up
    commits0 = store.stats.commits
    counting = True
    started = time.perf_counter()
    await asyncio.sleep(seconds)
    counting = False
    elapsed = time.perf_counter() - started
    ingests = count
    commits = store.stats.commits - commits0
    stop = True
    await asyncio.gather(*tasks)
    return ingests / elapsed, latencies, ingests / max(1, commits)


async def claim_latency(host: Store, worker: Store, samples: int) -> list[float]:
    """Time from ``ingest`` returning to an idle worker (in ``wait_for_runs``) holding the run."""
    committed: dict[str, float] = {}
    claimed: dict[str, float] = {}
    claim_calls: list[float] = []
    done = asyncio.Event()

    async def work() -> None:
        while not done.is_set():
            t = time.perf_counter()
            got = await worker.claim_runs("bench-worker", limit=16, lease_seconds=60)
            now = time.perf_counter()
            if got:
                claim_calls.append(now - t)
            for c in got:
                claimed[c.request.id] = now
            for c in got:
                await worker.finish_run("bench-worker", c.run.id, c.attempt)
            if len(claimed) >= samples:
                done.set()
            if not got:
                await worker.wait_for_runs(2.0)

    # Drain what the rate measurements queued, with leases that outlive the benchmark (a lease
    # expiring mid-measurement would hand the worker thousands of runs to redo).
    while await worker.claim_runs("drain", limit=1000, lease_seconds=86400):
        pass
    task = asyncio.create_task(work())
    await asyncio.sleep(0.2)
    for _ in range(samples):
        await asyncio.sleep(0.02)  # the worker is idle again
        req = make_request()
        await host.ingest(req)
        committed[req.id] = time.perf_counter()
    try:
        await asyncio.wait_for(done.wait(), 30)
    finally:
        done.set()
        host_wake = asyncio.create_task(host.ingest(make_request()))  # unblock a waiting worker
        await host_wake
        await task
    print(
        f"    (claim_runs calls that got a run: p50 {pct(claim_calls, 0.5) * 1e3:.2f} ms, "
        f"p99 {pct(claim_calls, 0.99) * 1e3:.2f} ms)",
        flush=True,
    )
    return [claimed[k] - committed[k] for k in committed if k in claimed]


async def bench_backend(target: Target, args: argparse.Namespace) -> list[Result]:
    results: list[Result] = []
    fills = ["empty"] + ([f"prefilled {args.prefill:,}"] if args.prefill else [])
    for fill in fills:
        await target.fresh()
        if fill != "empty":
            took = await target.prefill(args.prefill)
            print(
                f"  {target.name}: prefilled {args.prefill:,} requests in {took:.1f} s", flush=True
            )
        # Both modes stay open; rounds interleave them so a noisy neighbour hurts both alike.
        async with (
            opened(target.store(group_commit=False)) as each,
            opened(target.store(group_commit=True)) as group,
        ):
            samples: dict[tuple[str, int], list[tuple[float, list[float], float]]] = {}
            for rnd in range(args.rounds):
                for c in args.concurrency:
                    for mode, store in (("each", each), ("group", group)):
                        rate, lat, per_commit = await ingest_rate(store, c, args.seconds)
                        samples.setdefault((mode, c), []).append((rate, lat, per_commit))
                        print(
                            f"  {target.name:8} {fill:18} round {rnd + 1} {mode:5} c={c:<3} "
                            f"{rate:9,.0f}/s  p50 {pct(lat, 0.5) * 1e3:6.2f} ms  "
                            f"p99 {pct(lat, 0.99) * 1e3:6.2f} ms  {per_commit:5.1f}/commit",
                            flush=True,
                        )
            for (mode, c), runs in samples.items():
                rates = sorted(r[0] for r in runs)
                lat = [x for r in runs for x in r[1]]
                results.append(
                    Result(
                        target.name,
                        fill,
                        mode,
                        c,
                        statistics.median(rates),
                        pct(lat, 0.5) * 1e3,
                        pct(lat, 0.99) * 1e3,
                        statistics.median(r[2] for r in runs),
                        {"min": rates[0], "max": rates[-1]},
                    )
                )
        # claim-to-start latency on this fill level (group commit, idle worker)
        async with opened(target.store()) as store:
            lat = await claim_latency(store, store, args.latency_samples)
            results.append(
                Result(
                    target.name,
                    fill,
                    "claim (same process)",
                    1,
                    0,
                    pct(lat, 0.5) * 1e3,
                    pct(lat, 0.99) * 1e3,
                    0,
                    {"n": len(lat), "max_ms": max(lat) * 1e3},
                )
            )
            print(
                f"  {target.name:8} {fill:18} claim-to-start (same process): p50 "
                f"{pct(lat, 0.5) * 1e3:.2f} ms p99 {pct(lat, 0.99) * 1e3:.2f} ms "
                f"max {max(lat) * 1e3:.2f} ms (n={len(lat)})",
                flush=True,
            )
            if target.name == "postgres":
                async with opened(target.store()) as other:
                    lat = await claim_latency(store, other, args.latency_samples)
                results.append(
                    Result(
                        target.name,
                        fill,
                        "claim (other host, NOTIFY)",
                        1,
                        0,
                        pct(lat, 0.5) * 1e3,
                        pct(lat, 0.99) * 1e3,
                        0,
                        {"n": len(lat), "max_ms": max(lat) * 1e3},
                    )
                )
                print(
                    f"  {target.name:8} {fill:18} claim-to-start (other host, NOTIFY): p50 "
                    f"{pct(lat, 0.5) * 1e3:.2f} ms p99 {pct(lat, 0.99) * 1e3:.2f} ms "
                    f"max {max(lat) * 1e3:.2f} ms (n={len(lat)})",
                    flush=True,
                )
    if isinstance(target, PostgresTarget):
        await target.fresh()
        for r in await pg_batch_strategies(target, args.seconds):
            results.append(r)
    await target.cleanup()
    return results


async def pg_batch_strategies(target: PostgresTarget, seconds: float) -> list[Result]:
    """How to write a batch: the store's single ``INSERT … SELECT * FROM unnest(…)`` statement
    (requests + runs in one CTE, autocommit) vs ``executemany`` of the same INSERTs inside a
    transaction. Same rows (request + one run, no dedupe), one connection, back to back."""
    import asyncpg

    from hookpoint.store._pg_batcher import INGEST_SQL

    out: list[Result] = []
    conn = await asyncpg.connect(target.dsn, server_settings={"search_path": target.schema})
    try:
        for size in (1, 16, 64):
            for strategy in ("unnest", "executemany"):
                rows = 0
                started = time.perf_counter()
                while time.perf_counter() - started < seconds:
                    reqs = [make_request() for _ in range(size)]
                    now = time.time()
                    req_rows = [
                        (
                            r.id,
                            r.endpoint_id,
                            r.method,
                            r.url,
                            len(r.body),
                            r.received_at,
                            r.client,
                            "accepted",
                            r.verification,
                            r.event_type,
                            r.event_id,
                            r.event_time,
                            None,
                            '[["a","b"]]',
                            r.body,
                        )
                        for r in reqs
                    ]
                    run_rows = [(new_id(), r.id, r.endpoint_id, "job", "1", 8) for r in reqs]
                    if strategy == "unnest":
                        await conn.execute(
                            INGEST_SQL,
                            *[list(c) for c in zip(*req_rows, strict=True)],
                            *[[] for _ in range(9)],
                            *[list(c) for c in zip(*run_rows, strict=True)],
                            now,
                            True,
                        )
                    else:
                        async with conn.transaction():
                            await conn.executemany(
                                "INSERT INTO requests (id, endpoint_id, method, url, body_size, "
                                "received_at, client, status, verification, event_type, "
                                "event_id, event_time, duplicate_of, headers, body) VALUES ($1, "
                                "$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::json, "
                                "$15)",
                                req_rows,
                            )
                            await conn.executemany(
                                "INSERT INTO runs (id, request_id, endpoint_id, job_id, "
                                "job_version, status, attempt, max_attempts, created_at, "
                                "updated_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, "
                                "'queued', 0, $6, $7, $7, $7)",
                                [(*r, now) for r in run_rows],
                            )
                            await conn.execute("SELECT pg_notify('hookpoint_runs', '')")
                    rows += size
                rate = rows / (time.perf_counter() - started)
                out.append(Result("postgres", "batch strategy", strategy, size, rate, 0, 0, size))
                print(
                    f"  postgres batch of {size:3}: {strategy:12} {rate:9,.0f} requests/s",
                    flush=True,
                )
    finally:
        await conn.close()
    return out


def report(results: list[Result]) -> str:
    lines: list[str] = []
    for backend in dict.fromkeys(r.backend for r in results):
        rows = [r for r in results if r.backend == backend]
        base = next(
            r for r in rows if r.mode == "each" and r.concurrency == 1 and r.fill == "empty"
        )
        lines.append(
            f"\n{backend}: baseline = one commit per request, c=1, empty store = "
            f"{base.rate:,.0f} ingests/s\n"
        )
        lines.append(
            "| store | commit | c | ingests/s median [min–max] | × baseline | p50 ms | "
            "p99 ms | requests/commit |"
        )
        lines.append("|---|---|---|---|---|---|---|---|")
        for r in rows:
            if r.mode in ("each", "group") and r.fill != "batch strategy":
                mode = "one per request" if r.mode == "each" else "group"
                spread = (
                    f" [{r.extra['min']:,.0f}–{r.extra['max']:,.0f}]" if "min" in r.extra else ""
                )
                lines.append(
                    f"| {r.fill} | {mode} | {r.concurrency} | {r.rate:,.0f}{spread} | "
                    f"{r.rate / base.rate:.2f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | "
                    f"{r.per_commit:.1f} |"
                )
        strategies = [r for r in rows if r.fill == "batch strategy"]
        if strategies:
            lines.append("")
            lines.append(
                "| batch size | unnest, one statement (req/s) | executemany in a "
                "transaction (req/s) | unnest ÷ executemany |"
            )
            lines.append("|---|---|---|---|")
            for size in dict.fromkeys(r.concurrency for r in strategies):
                u = next(r.rate for r in strategies if r.concurrency == size and r.mode == "unnest")
                e = next(
                    r.rate for r in strategies if r.concurrency == size and r.mode == "executemany"
                )
                lines.append(f"| {size} | {u:,.0f} | {e:,.0f} | {u / e:.2f} |")
        lines.append("")
        lines.append("| store | claim-to-start | p50 ms | p99 ms | max ms | samples |")
        lines.append("|---|---|---|---|---|---|")
        for r in rows:
            if r.mode.startswith("claim"):
                lines.append(
                    f"| {r.fill} | {r.mode[6:].strip('()')} | {r.p50_ms:.2f} | "
                    f"{r.p99_ms:.2f} | {r.extra['max_ms']:.2f} | {r.extra['n']} |"
                )
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="hookpoint-bench-", dir=args.tmpdir))
    try:
        targets: list[Target] = []
        if args.backend in ("sqlite", "both"):
            targets.append(SQLiteTarget(tmp))
        if args.backend in ("postgres", "both"):
            targets.append(PostgresTarget(args.dsn))
        results: list[Result] = []
        for target in targets:
            print(f"# {target.name}", flush=True)
            results.extend(await bench_backend(target, args))
        print(report(results))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=4.0, help="per measurement")
    parser.add_argument(
        "--prefill",
        type=int,
        default=1_000_000,
        help="requests in the pre-filled store (0 = skip that round)",
    )
    parser.add_argument(
        "--concurrency",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[1, 16, 64],
        help="comma list (default 1,16,64)",
    )
    parser.add_argument("--latency-samples", type=int, default=200)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="interleaved repetitions of every point (median reported)",
    )
    parser.add_argument("--dsn", default=DEFAULT_DSN)
    parser.add_argument("--tmpdir", default=None, help="where the SQLite file goes")
    args = parser.parse_args()
    print(
        f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}, "
        f"{os.cpu_count()} CPUs, prefill {args.prefill:,}, {args.seconds} s per point, "
        f"{args.rounds} rounds",
        flush=True,
    )
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    raise SystemExit(main())
