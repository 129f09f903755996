"""Open-loop acknowledgement latency: what senders see at 50% and 80% of the maximum rate.

    python bench/ingest/openloop.py [--quick] [--seconds 20] [--fractions 0.5,0.8]
                                    [--backends sqlite,postgres] [--worker] [--json F]
                                    [--markdown F]

For each backend: start ``hookpoint serve bench.ingest.bench_app:hp`` (``--no-worker`` unless
``--worker``), measure its maximum with wrk (c16, ``--probe`` seconds), then send signed cal.com
deliveries on a fixed schedule (``bench/_loadgen.py``: latency counted from when each request
was due, so stalls are not hidden) at each fraction of that maximum, and report p50, p99,
p99.9 and the maximum of the acknowledgement latency (every 2xx is a committed request).
``--quick``: 4 s per rate, SQLite only.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402
    bench_env,
    free_port,
    markdown_table,
    percentile,
    pg_url,
    report,
    reset_pg_schema,
    run_wrk,
    start,
    stop,
)
from bench._loadgen import http_request, paced  # noqa: E402
from bench.ingest.run import PATH, SECRET, host_cmd, lua_script, sample_bodies, signature  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seconds", type=float, default=20, help="per paced rate")
    ap.add_argument("--probe", type=int, default=8, help="seconds to measure the maximum")
    ap.add_argument("--fractions", default="0.5,0.8")
    ap.add_argument("--backends", default="sqlite,postgres")
    ap.add_argument("--worker", action="store_true", help="the in-process worker runs jobs too")
    ap.add_argument("--app", default="bench.ingest.bench_app:hp")
    ap.add_argument("--json", dest="json_out", default=None)
    ap.add_argument("--markdown", default=None)
    args = ap.parse_args(argv)
    if args.quick:
        args.seconds, args.probe, args.backends = 4, 3, "sqlite"
    return args


def payloads(bodies: list[bytes]) -> list[bytes]:
    headers = {"Content-Type": "application/json", "X-Cal-Webhook-Version": "2021-10-20"}
    return [http_request(PATH, {**headers, "X-Cal-Signature-256": signature(b)}, b) for b in bodies]


def latency_row(result: Any) -> dict[str, float]:
    ordered = sorted(result.latencies_ms)
    return {
        "achieved_rps": result.sent / result.seconds if result.seconds else 0.0,
        "p50": percentile(ordered, 0.50),
        "p99": percentile(ordered, 0.99),
        "p999": percentile(ordered, 0.999),
        "max": ordered[-1] if ordered else float("nan"),
        "sent": float(result.sent),
        "ok": float(result.ok),
        "connections": float(result.connections),
    }


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="hp-openloop-"))
    bodies = sample_bodies(2000)
    script = tmp / "post.lua"
    lua_script(script, bodies)
    requests = payloads(bodies)
    env = bench_env(BENCH_SECRET=SECRET)
    fractions = [float(f) for f in args.fractions.split(",")]
    rows: list[dict[str, Any]] = []
    for backend in args.backends.split(","):
        port = free_port()
        if backend == "sqlite":
            url = f"sqlite:///{tmp / 'openloop.db'}"
        else:
            reset_pg_schema("hp_openloop")
            url = pg_url("hp_openloop")
        proc = start(host_cmd(args.app, port, url, 1, args.worker), port, env)
        try:
            target = f"http://127.0.0.1:{port}{PATH}"
            run_wrk(target, 16, 2, script)  # warm-up
            peak = run_wrk(target, 16, args.probe, script)["rps"]
            for fraction in fractions:
                rate = peak * fraction
                result = asyncio.run(paced(port, requests, rate, args.seconds))
                row = {"backend": backend, "fraction": fraction, "rate": rate, "peak": peak}
                row.update(latency_row(result))
                rows.append(row)
                print(
                    f"{backend:<9} {fraction:.0%} of {peak:.0f} = {rate:.0f} req/s: "
                    f"p50 {row['p50']:.2f} p99 {row['p99']:.2f} p99.9 {row['p999']:.2f} "
                    f"max {row['max']:.1f} ms, {int(row['ok'])}/{int(row['sent'])} 2xx",
                    flush=True,
                )
        finally:
            stop(proc)
    table = markdown_table(
        ["backend", "load", "req/s sent", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "2xx / sent"],
        [
            [
                r["backend"],
                f"{r['fraction']:.0%} of {r['peak']:,.0f}",
                f"{r['achieved_rps']:,.0f}",
                f"{r['p50']:.2f}",
                f"{r['p99']:.2f}",
                f"{r['p999']:.2f}",
                f"{r['max']:.1f}",
                f"{int(r['ok'])} / {int(r['sent'])}",
            ]
            for r in rows
        ],
    )
    report(args, table, {"rows": rows})


if __name__ == "__main__":
    main()
