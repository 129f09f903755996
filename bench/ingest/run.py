"""Ingest benchmark: signed ~1.5 KB cal.com requests against a running Hookpoint host, and, in the
same run with the same hypercorn settings, against a bare Quart hello-world app.

    python bench/ingest/run.py [--seconds 10] [--rounds 1] [--backends sqlite,postgres]
                               [--conc 1,16,64] [--workers N] [--sqlite-synchronous FULL|NORMAL]
                               [--app M:ATTR]

Reports requests/s, p50/p99 and the server's CPU time per request (all its processes and
threads) per concurrency, and the ratios to the bare app. With ``--rounds N`` every server is
measured N times, interleaved, and the ratio reported is the median of the per-round ratios
(this VM drifts by 10-20% within minutes, so a ratio is only meaningful within one round).
Needs `wrk` (Debian package). The host runs with --no-worker: this measures ingest (verify +
describe + filter + durable group-committed insert of the request and its run), not job
execution.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
SECRET = "bench-secret"
PG_DSN = os.environ.get("HOOKPOINT_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listening on {port}")


def sample_bodies(n: int) -> list[bytes]:
    """n distinct BOOKING_CREATED bodies (~1.5 KB) shaped like the plugin's sample."""
    from hookpoint._plugins import PluginHost

    info = PluginHost.load(load_entrypoints=True).providers["caldotcom"]
    base = next(s for s in info.samples if s.event_type == "BOOKING_CREATED")
    data = json.loads(base.body)
    bodies = []
    for i in range(n):
        data.setdefault("payload", {})["uid"] = f"bench-{i:06d}"
        bodies.append(json.dumps(data, separators=(",", ":")).encode())
    return bodies


def lua_script(path: Path, bodies: list[bytes]) -> None:
    # wrk.format's header table replaces wrk.headers, so Host must be given (HTTP/1.1).
    lines = ["local reqs = {}"]
    for i, body in enumerate(bodies, 1):
        sig = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        lines.append(
            f'reqs[{i}] = wrk.format("POST", nil, {{["Host"]="127.0.0.1",'
            f'["Content-Type"]="application/json",'
            f'["X-Cal-Signature-256"]="{sig}",["X-Cal-Webhook-Version"]="2021-10-20"}}, '
            f"[==[{body.decode()}]==])"
        )
    lines += [
        "local i = 0",
        "request = function()",
        "  i = i % #reqs + 1",
        "  return reqs[i]",
        "end",
    ]
    path.write_text("\n".join(lines) + "\n")


def run_wrk(port: int, conc: int, seconds: int, script: Path) -> dict[str, float]:
    threads = 1  # one wrk thread is not the limit (perf-ceilings.md); it leaves the server more CPU
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{conc}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/webhooks/caldotcom",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def pct(p: str) -> float:
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        assert m, out
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "rps": rps,
        "p50": pct("50"),
        "p99": pct("99"),
        "non2xx": float(bad.group(1)) if bad else 0.0,
        "socket_errors": 1.0 if errors else 0.0,
    }


def group_cpu_seconds(group: int) -> float:
    """User + system CPU time of every process in process group ``group`` (Linux /proc).

    CPU per request is steadier than requests/s on a noisy VM: it does not move when a
    neighbour steals time, only when the server does more or less work."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[2]) == group:  # fields[2] is pgrp; [11] utime, [12] stime
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def start(cmd: list[str], port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    wait_port(port)
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def reset_pg_schema(schema: str) -> None:
    import asyncio

    import asyncpg

    async def go() -> None:
        conn = await asyncpg.connect(PG_DSN)
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
        await conn.close()

    asyncio.run(go())


Cells = dict[int, dict[str, float]]
"""One server's measurements by concurrency."""


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure every server this often, interleaved (the order rotates each round); "
        "ratios are taken within a round and their median is reported",
    )
    ap.add_argument("--backends", default="sqlite,postgres")
    ap.add_argument("--conc", default="1,16,64")
    ap.add_argument("--json", dest="json_out", default=None, help="write results here")
    ap.add_argument("--workers", type=int, default=1, help="hypercorn workers, for both apps")
    ap.add_argument(
        "--app",
        default="bench.ingest.bench_app:hp",
        help="the Hookpoint app to serve (e.g. bench.ingest.experiments.writer_process:hp)",
    )
    ap.add_argument(
        "--sqlite-synchronous",
        default="FULL",
        choices=["FULL", "NORMAL"],
        help="HOOKPOINT_SQLITE_SYNCHRONOUS for the SQLite host (NORMAL: no fsync per commit)",
    )
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    if args.rounds < 1:
        sys.exit("--rounds must be at least 1")
    concs = [int(c) for c in args.conc.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="hp-bench-"))
    script = tmp / "post.lua"
    lua_script(script, sample_bodies(2000))
    env = {
        **os.environ,
        "BENCH_SECRET": SECRET,
        "PYTHONPATH": str(ROOT),
        "HOOKPOINT_LOG_LEVEL": "WARNING",
    }

    def measure(cmd: list[str], port: int, extra_env: dict[str, str]) -> Cells:
        proc = start(cmd, port, {**env, **extra_env})
        try:
            run_wrk(port, 16, 2, script)  # warm-up
            cells: Cells = {}
            for c in concs:
                before = group_cpu_seconds(proc.pid)
                cell = run_wrk(port, c, args.seconds, script)
                spent = group_cpu_seconds(proc.pid) - before
                cell["cpu_us"] = 1e6 * spent / max(1.0, cell["rps"] * args.seconds)
                cells[c] = cell
            return cells
        finally:
            stop(proc)

    def bare(round_no: int) -> Cells:
        port = free_port()
        return measure(
            [
                str(VENV_BIN / "hypercorn"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "bench.ingest.bare_app:app",
            ],
            port,
            {},
        )

    def host(backend: str, round_no: int) -> Cells:
        port = free_port()
        if backend == "sqlite":
            url = f"sqlite:///{tmp / f'bench-{round_no}.db'}"  # a fresh file each round
        else:
            schema = "hp_bench"
            reset_pg_schema(schema)
            url = f"{PG_DSN}?search_path={schema}"
        return measure(
            [
                str(VENV_BIN / "hookpoint"),
                "serve",
                args.app,
                "--port",
                str(port),
                "--no-worker",
                "--workers",
                str(args.workers),
                "--database-url",
                url,
            ],
            port,
            {"HOOKPOINT_SQLITE_SYNCHRONOUS": args.sqlite_synchronous},
        )

    servers: list[tuple[str, Callable[[int], Cells]]] = [("bare-quart", bare)]
    for backend in args.backends.split(","):
        servers.append((f"hookpoint-{backend}", functools.partial(host, backend)))
    # rounds[r][label] = cells; the order rotates so that no server always runs first or last
    rounds: list[dict[str, Cells]] = []
    for r in range(args.rounds):
        shift = r % len(servers)
        this: dict[str, Cells] = {}
        for label, run in servers[shift:] + servers[:shift]:
            this[label] = run(r)
        rounds.append(this)

    print(
        f"{'server':<20}{'conc':>6}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'x bare':>8}{'p99 x bare':>11}{'cpu us/req':>11}{'non2xx':>8}"
    )
    for r, results in enumerate(rounds):
        if args.rounds > 1:
            print(f"-- round {r + 1}")
        base = results["bare-quart"]
        for label, _ in servers:
            for c, cell in results[label].items():
                print(
                    f"{label:<20}{c:>6}{cell['rps']:>10.0f}{cell['p50']:>9.2f}{cell['p99']:>9.2f}"
                    f"{cell['rps'] / base[c]['rps']:>8.2f}{cell['p99'] / base[c]['p99']:>11.2f}"
                    f"{cell['cpu_us']:>11.0f}{int(cell['non2xx']):>8}"
                )
    summary: dict[str, dict[int, dict[str, float]]] = {}
    for label, _ in servers:
        summary[label] = {}
        for c in concs:
            ratios = [rs[label][c]["rps"] / rs["bare-quart"][c]["rps"] for rs in rounds]
            p99s = [rs[label][c]["p99"] / rs["bare-quart"][c]["p99"] for rs in rounds]
            summary[label][c] = {
                "rps": median([rs[label][c]["rps"] for rs in rounds]),
                "ratio": median(ratios),
                "ratio_min": min(ratios),
                "ratio_max": max(ratios),
                "p99_ratio": median(p99s),
                "cpu_us": median([rs[label][c]["cpu_us"] for rs in rounds]),
            }
    if args.rounds > 1:
        print(f"-- median of {args.rounds} rounds (x bare: median of the per-round ratios)")
        print(
            f"{'server':<20}{'conc':>6}{'req/s':>10}{'x bare':>8}{'min-max':>13}"
            f"{'p99 x bare':>11}{'cpu us/req':>11}"
        )
        for label, rows in summary.items():
            for c, row in rows.items():
                spread = f"{row['ratio_min']:.2f}-{row['ratio_max']:.2f}"
                print(
                    f"{label:<20}{c:>6}{row['rps']:>10.0f}{row['ratio']:>8.2f}{spread:>13}"
                    f"{row['p99_ratio']:>11.2f}{row['cpu_us']:>11.0f}"
                )
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"rounds": rounds, "summary": summary}, indent=2))


if __name__ == "__main__":
    main()
