"""Forwarding benchmark: deliveries per second and accept-to-delivered latency through a real
``hookpoint serve`` (hypercorn + its in-process worker) to a local destination.

    python bench/forward/run.py [--requests 2000] [--senders 16] [--backends sqlite,postgres]
                                [--rounds 1]

The destination is the tests' loopback receiver (``tests/loopback_receiver.py``) in this
process, answering 200 at once. Senders POST ~1 KB JSON bodies; a request's *accept* time is
when its 200 came back, its *delivered* time when the destination had the whole forwarded
request. Reported per backend: requests accepted per second, deliveries per second (first
accept to last delivery), their ratio (in the same run), and the accept-to-delivered
p50/p99. Run by hand, not by the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from loopback_receiver import Receiver  # noqa: E402

PG_DSN = os.environ.get("HOOKPOINT_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def body(n: int) -> bytes:
    data = {"type": "order.paid", "seq": n, "data": {"id": f"ord_{n:08d}", "note": "x" * 900}}
    return json.dumps(data, separators=(",", ":")).encode()


def start_host(url: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``hookpoint serve app:hp`` (with its worker) in its own process group."""
    cmd = [sys.executable, "-m", "hookpoint.cli", "serve", "app:hp", "--port", str(port)]
    with log.open("wb") as out:
        return subprocess.Popen(
            [*cmd, "--database-url", url],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


async def pg_database() -> str:
    import asyncpg

    name = f"hp_bench_fwd_{secrets.token_hex(4)}"
    conn = await asyncpg.connect(PG_DSN)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return PG_DSN.rsplit("/", 1)[0] + "/" + name


async def drop_pg_database(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await conn.close()


async def one_round(backend: str, requests: int, senders: int) -> dict[str, float]:
    async with Receiver() as dest:
        tmp = tempfile.mkdtemp(prefix="hp-bench-fwd-")
        url = f"sqlite:///{tmp}/fwd.db" if backend == "sqlite" else await pg_database()
        port = free_port()
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                [str(ROOT / "bench" / "forward"), os.environ.get("PYTHONPATH", "")]
            ),
            "BENCH_FORWARD_TO": dest.url + "/hook",
            "HOOKPOINT_LOG_LEVEL": "WARNING",
            "HOOKPOINT_RETENTION_DAYS": "0",
        }
        proc = start_host(url, port, env, Path(tmp) / "host.log")
        accepted: dict[int, float] = {}
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                deadline = time.time() + 60
                while True:
                    try:
                        if (await client.get("/readyz")).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    if time.time() > deadline or proc.poll() is not None:
                        raise RuntimeError((Path(tmp) / "host.log").read_text()[-3000:])
                    await asyncio.sleep(0.1)
                queue = iter(range(requests))

                async def sender() -> None:
                    for n in queue:
                        r = await client.post(
                            "/webhooks/in",
                            content=body(n),
                            headers={"Content-Type": "application/json"},
                        )
                        r.raise_for_status()
                        accepted[n] = time.time()

                started = time.time()
                await asyncio.gather(*(sender() for _ in range(senders)))
                accept_done = time.time()
                await dest.wait_for(requests, timeout=600)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(30)
            if backend == "postgres":
                await drop_pg_database(url)
        delivered: dict[int, float] = {}
        for got in dest.received:
            delivered.setdefault(json.loads(got.body)["seq"], got.at)
        latencies = sorted(delivered[n] - accepted[n] for n in accepted)
        last = max(delivered.values())
        return {
            "accepted_per_s": requests / (accept_done - started),
            "delivered_per_s": requests / (last - started),
            "p50_ms": statistics.median(latencies) * 1000,
            "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
            "duplicates": len(dest.received) - len(delivered),
        }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--senders", type=int, default=16)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    print(f"{args.requests} requests, {args.senders} concurrent senders, {os.cpu_count()} CPUs")
    print("| backend | round | accepted/s | delivered/s | delivered/accepted | p50 | p99 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in range(1, args.rounds + 1):
        for backend in args.backends.split(","):
            m = await one_round(backend, args.requests, args.senders)
            print(
                f"| {backend} | {r} | {m['accepted_per_s']:.0f} | {m['delivered_per_s']:.0f} | "
                f"{m['delivered_per_s'] / m['accepted_per_s']:.2f} | {m['p50_ms']:.0f} ms | "
                f"{m['p99_ms']:.0f} ms |"
                + (f" ({m['duplicates']:.0f} duplicates)" if m["duplicates"] else ""),
                flush=True,
            )


if __name__ == "__main__":
    asyncio.run(main())
