"""What the benchmark scripts share: ports, processes, CPU accounting, wrk, medians, tables.

Not part of the package; each script under ``bench/`` is run from the repository root
(``.venv/bin/python bench/<name>/run.py``) and puts the root on ``sys.path`` first.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
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


def bench_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "HOOKPOINT_LOG_LEVEL": "WARNING", **extra}


def start(
    cmd: Sequence[str], port: int | None, env: dict[str, str], log: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start ``cmd`` in a session of its own (so its CPU and its children can be found by
    process group) and wait until ``port`` listens."""
    out = log.open("ab") if log is not None else subprocess.DEVNULL
    proc = subprocess.Popen(
        list(cmd),
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT if log is not None else subprocess.DEVNULL,
        start_new_session=True,
    )
    if port is not None:
        try:
            wait_port(port)
        except RuntimeError:
            stop(proc)
            raise
    return proc


def stop(proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


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


def run_wrk(
    url: str, conc: int, seconds: float, script: Path, env: dict[str, str] | None = None
) -> dict[str, float]:
    """One wrk run (one thread: wrk is not the limit, and it leaves the server more CPU)."""
    out = subprocess.run(
        ["wrk", "-t1", f"-c{conc}", f"-d{round(seconds)}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = re.search(r"(\d+) requests in", out)

    def pct(p: str) -> float:
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        assert m, out
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "rps": rps,
        "requests": float(total.group(1)) if total else rps * seconds,
        "p50": pct("50"),
        "p99": pct("99"),
        "non2xx": float(bad.group(1)) if bad else 0.0,
        "socket_errors": 1.0 if errors else 0.0,
    }


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def percentile(ordered: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) of sorted values, nearest rank."""
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))
    return ordered[rank]


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    align = ["---" if i == 0 else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def reset_pg_schema(schema: str) -> None:
    import asyncio

    import asyncpg

    async def go() -> None:
        conn = await asyncpg.connect(PG_DSN)
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
        await conn.close()

    asyncio.run(go())


def pg_url(schema: str) -> str:
    return f"{PG_DSN}?search_path={schema}"


def machine_note() -> str:
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} CPUs, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        f"at the end, Python {sys.version.split()[0]}"
    )


def report(args: Any, table: str, results: dict[str, Any]) -> None:
    """Print the markdown ``table`` and the machine note; write the table to ``args.markdown``
    and ``results`` (with the arguments and the machine note) as JSON to ``args.json_out``."""
    note = machine_note()
    print()
    print(table)
    print(note)
    if args.markdown:
        Path(args.markdown).write_text(table)
    if args.json_out:
        payload = {"args": vars(args), "machine": note, **results}
        Path(args.json_out).write_text(json.dumps(payload, indent=2))
