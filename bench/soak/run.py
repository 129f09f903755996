"""Soak benchmark: a host at ~80% of its maximum ingest rate for minutes, with runs executing.

    python bench/soak/run.py [--quick] [--minutes 10] [--fraction 0.8 | --rate R] [--conc 16]
                             [--json F]

1. Starts ``hookpoint serve bench.ingest.bench_app:hp`` (SQLite, the in-process worker ON: every
   request starts a run that writes a log line) on a loopback port.
2. Measures its maximum ingest rate for ``--probe`` seconds with wrk (signed ~1.5 KB cal.com
   deliveries, as ``bench/ingest/run.py``).
3. Runs ``--minutes`` at ``--fraction`` of that rate (or at ``--rate``), as back-to-back
   10-second wrk segments paced by a Lua ``delay()``: each segment's pause is set from the rate
   achieved so far and the latency last seen (there is no wrk2 here). After each segment it
   samples the errors (non-2xx, socket errors), p50/p99 latency, the host's resident memory
   (VmRSS from /proc), the run queue depth (``/metrics``) and the database size.
4. Prints a table and two verdicts: memory is flat when the last minute's mean RSS is within 10%
   of the second minute's; the queue is flat when the runs queued in the soak's last third are,
   on average, at most one second of ingest above its first third's (the worker keeps up).

Not a test: it takes minutes and its numbers depend on the machine. Needs ``wrk``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from statistics import mean

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench._common import free_port, run_wrk, wait_port  # noqa: E402 - needs ROOT on sys.path
from bench.ingest.run import PATH, SECRET, lua_script, sample_bodies  # noqa: E402

SEGMENT = 10  # seconds per wrk segment = the sampling interval


@dataclass
class Sample:
    t: float  # seconds since the soak started (end of the segment)
    target: float
    rps: float
    p50: float
    p99: float
    non2xx: int
    socket_errors: bool
    rss_mb: float
    anon_mb: float  # the heap: Python objects and C allocations
    mapped_mb: float  # file-backed and shared mappings (SQLite's WAL index, libraries)
    queued: int
    db_mb: float
    wal_mb: float


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS and its parts (RssAnon, RssFile, RssShmem) of a process, in MB."""
    out: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
            out[name] = int(value.split()[0]) / 1024
    return out


def queue_depth(port: int) -> int:
    import httpx

    try:
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    except httpx.HTTPError:
        return -1
    m = re.search(r"^hookpoint_queue_depth (\S+)$", text, re.M)
    return int(float(m.group(1))) if m else -1


def file_mb(path: Path) -> float:
    return path.stat().st_size / 1e6 if path.exists() else 0.0


def paced_script(base: Path, out: Path) -> None:
    """The benchmark's request script plus a ``delay()`` read from SOAK_DELAY_MS."""
    out.write_text(
        base.read_text()
        + 'local pause = tonumber(os.getenv("SOAK_DELAY_MS") or "0")\n'
        + "delay = function()\n  return pause\nend\n"
    )


def start_host(port: int, db: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "BENCH_SECRET": SECRET,
        "PYTHONPATH": str(ROOT),
        "HOOKPOINT_LOG_LEVEL": "WARNING",
        "HOOKPOINT_RETENTION_DAYS": "0",
    }
    cmd = [
        str(Path(sys.executable).parent / "hookpoint"),
        "serve",
        "bench.ingest.bench_app:hp",
        "--port",
        str(port),
        "--database-url",
        f"sqlite:///{db}",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    wait_port(port)
    return proc


def stop_host(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="one minute, a 3-second probe")
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--fraction", type=float, default=0.8, help="of the measured maximum")
    ap.add_argument("--rate", type=float, default=None, help="soak at this req/s instead")
    ap.add_argument("--probe", type=int, default=10, help="seconds to measure the maximum")
    ap.add_argument("--conc", type=int, default=16, help="connections")
    ap.add_argument("--json", dest="json_out", default=None, help="write the samples here")
    args = ap.parse_args(argv)
    if args.quick:
        args.minutes, args.probe = 1.0, 3
    return args


def queue_verdict(samples: list[Sample], target: float) -> str:
    """Flat when the runs queued in the last third of the soak are, on average, no more than
    one second of ingest above the first third's: the workers keep up."""
    if len(samples) < 3:
        return "n/a (needs at least 3 segments)"
    third = len(samples) // 3
    first = mean(s.queued for s in samples[:third])
    last = mean(s.queued for s in samples[-third:])
    flat = last - first <= target
    return (
        f"{'FLAT' if flat else 'GROWING'}: runs queued, mean of the first third {first:.0f}, "
        f"of the last third {last:.0f}, most {max(s.queued for s in samples)}"
    )


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    tmp = Path(tempfile.mkdtemp(prefix="hp-soak-"))
    base, paced = tmp / "post.lua", tmp / "paced.lua"
    lua_script(base, sample_bodies(2000))
    paced_script(base, paced)
    port, db, log = free_port(), tmp / "soak.db", tmp / "host.log"
    proc = start_host(port, db, log)
    url = f"http://127.0.0.1:{port}{PATH}"
    samples: list[Sample] = []
    try:
        os.environ["SOAK_DELAY_MS"] = "0"
        run_wrk(url, args.conc, 3, base)  # warm-up
        probe = run_wrk(url, args.conc, args.probe, base)
        peak = probe["rps"]
        target = args.rate or peak * args.fraction
        print(
            f"maximum ingest (worker on, c{args.conc}, {args.probe} s): {peak:.0f} req/s, "
            f"p99 {probe['p99']:.1f} ms; soaking {args.minutes:g} min at {target:.0f} req/s",
            flush=True,
        )
        # wait for the probe's backlog of runs to drain so the soak starts from a steady state
        deadline = time.monotonic() + 120
        while queue_depth(port) > 0 and time.monotonic() < deadline:
            time.sleep(1)
        # Each connection sends, waits for the answer, then pauses `delay` ms: its cycle is
        # latency + delay. The pause is set per segment for the rate that brings the total sent
        # back on the target line (an integral controller), from the latency last seen.
        latency = probe["p50"]
        sent = 0.0
        started = time.monotonic()
        end = started + args.minutes * 60
        print(
            f"{'t s':>6}{'target':>8}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'non2xx':>8}"
            f"{'sockerr':>8}{'RSS MB':>8}{'anon':>7}{'mapped':>7}{'queued':>8}{'db MB':>7}"
            f"{'WAL MB':>7}",
            flush=True,
        )
        while time.monotonic() < end - SEGMENT / 2:
            behind = target * (time.monotonic() - started) - sent
            wanted = min(1.25 * target, max(0.75 * target, target + behind / (3 * SEGMENT)))
            delay = max(0.0, args.conc * 1000 / wanted - latency)
            os.environ["SOAK_DELAY_MS"] = str(round(delay))
            r = run_wrk(url, args.conc, SEGMENT, paced)
            sent += r["rps"] * SEGMENT
            mem = memory_mb(proc.pid)
            s = Sample(
                t=round(time.monotonic() - started, 1),
                target=round(target),
                rps=round(r["rps"], 1),
                p50=r["p50"],
                p99=r["p99"],
                non2xx=int(r["non2xx"]),
                socket_errors=bool(r["socket_errors"]),
                rss_mb=round(mem["VmRSS"], 1),
                anon_mb=round(mem["RssAnon"], 1),
                mapped_mb=round(mem["RssFile"] + mem["RssShmem"], 1),
                queued=queue_depth(port),
                db_mb=round(file_mb(db), 1),
                wal_mb=round(file_mb(db.with_name(db.name + "-wal")), 1),
            )
            samples.append(s)
            print(
                f"{s.t:>6.0f}{s.target:>8.0f}{s.rps:>8.0f}{s.p50:>8.2f}{s.p99:>8.2f}"
                f"{s.non2xx:>8}{'yes' if s.socket_errors else 'no':>8}{s.rss_mb:>8.1f}"
                f"{s.anon_mb:>7.1f}{s.mapped_mb:>7.1f}{s.queued:>8}{s.db_mb:>7.0f}{s.wal_mb:>7.0f}",
                flush=True,
            )
            if r["rps"] > 0:  # the mean latency this segment showed
                latency = max(0.0, args.conc * 1000 / r["rps"] - round(delay))
        if proc.poll() is not None:
            raise SystemExit(f"the host died: {log.read_text()[-3000:]}")
    finally:
        stop_host(proc)

    def window(lo: float, hi: float) -> list[Sample]:
        return [s for s in samples if lo < s.t <= hi]

    total = samples[-1].t if samples else 0.0
    second = window(60, 120)
    last = window(total - 60, total)
    errors = sum(s.non2xx for s in samples)
    sock = sum(s.socket_errors for s in samples)
    print()
    print(
        f"duration {total / 60:.1f} min, mean {mean(s.rps for s in samples):.0f} req/s "
        f"(target {target:.0f}), non-2xx {errors}, segments with socket errors {sock}, "
        f"worst segment p99 {max(s.p99 for s in samples):.1f} ms"
    )
    verdict = "n/a (needs at least 3 minutes)"
    if second and last and args.minutes >= 3:
        m2, ml = mean(s.rss_mb for s in second), mean(s.rss_mb for s in last)
        change = (ml - m2) / m2
        a2, al = mean(s.anon_mb for s in second), mean(s.anon_mb for s in last)
        f2, fl = mean(s.mapped_mb for s in second), mean(s.mapped_mb for s in last)
        verdict = (
            f"{'FLAT' if abs(change) <= 0.10 else 'NOT FLAT'}: RSS second minute {m2:.1f} MB, "
            f"last minute {ml:.1f} MB ({change:+.1%}; anon {a2:.1f} -> {al:.1f}, "
            f"mapped {f2:.1f} -> {fl:.1f}); max {max(s.rss_mb for s in samples):.1f} MB"
        )
    print(f"memory: {verdict}")
    queue = queue_verdict(samples, target)
    print(f"queue: {queue}")
    warnings = [ln for ln in log.read_text(errors="replace").splitlines() if "ERROR" in ln]
    print(f"host log: {len(warnings)} ERROR lines")
    if args.json_out:
        Path(args.json_out).write_text(
            json.dumps(
                {
                    "peak_rps": peak,
                    "target_rps": target,
                    "verdict": verdict,
                    "queue": queue,
                    "samples": [asdict(s) for s in samples],
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
