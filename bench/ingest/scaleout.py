"""Scale-out: ingest requests/s against processes, drawn as a chart.

    python bench/ingest/scaleout.py [--quick] [--seconds 8] [--rounds 2] [--conc 64]
                                    [--backends sqlite,postgres] [--json F] [--markdown F]
                                    [--chart docs/images/scaleout.png]

* **SQLite**: one ``hookpoint serve --workers 1`` against ``--workers 2`` (two hypercorn
  processes on one port and one database file; each has its own writer, and they take turns).
* **PostgreSQL**: one host against two hosts (two ``hookpoint serve`` processes on their own
  ports and connections, one database), with wrk's connections split between them.

Every host runs ``--no-worker`` (ingest only: runs are executed by separate workers in this
shape). Rounds interleave the shapes; the table gives the median req/s and CPU per request, and
the chart (matplotlib, ``bench/requirements.txt``) draws req/s against processes.
``--quick``: 3 s cells, one round, SQLite only, no chart unless ``--chart`` is given.
"""

from __future__ import annotations

import argparse
import json
import subprocess
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
    group_cpu_seconds,
    markdown_table,
    median,
    pg_url,
    report,
    reset_pg_schema,
    start,
    stop,
)
from bench.ingest.run import PATH, SECRET, host_cmd, lua_script, sample_bodies  # noqa: E402

APP = "bench.ingest.bench_app:hp"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--conc", type=int, default=64, help="wrk connections in all")
    ap.add_argument("--backends", default="sqlite,postgres")
    ap.add_argument("--json", dest="json_out", default=None)
    ap.add_argument("--markdown", default=None)
    ap.add_argument("--chart", default=None, help="write the chart (PNG) here")
    args = ap.parse_args(argv)
    if args.quick:
        args.seconds, args.rounds, args.backends = 3, 1, "sqlite"
    return args


def run_parallel_wrk(
    ports: list[int], conc: int, seconds: int, script: Path
) -> tuple[float, float]:
    """wrk against every port at once (connections split evenly); (req/s, requests) summed."""
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                _WRK_ONE,
                str(port),
                str(conc // len(ports)),
                str(seconds),
                str(script),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for port in ports
    ]
    results = [json.loads(p.communicate()[0]) for p in procs]
    return sum(r["rps"] for r in results), sum(r["requests"] for r in results)


_WRK_ONE = f"""
import json, sys
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from bench._common import run_wrk
port, conc, seconds, script = sys.argv[1:]
url = f"http://127.0.0.1:{{port}}{PATH}"
print(json.dumps(run_wrk(url, int(conc), int(seconds), Path(script))))
"""


def shape(
    backend: str, processes: int, tmp: Path, round_no: int, args: argparse.Namespace, script: Path
) -> dict[str, float]:
    env = bench_env(BENCH_SECRET=SECRET)
    if backend == "sqlite":
        url = f"sqlite:///{tmp / f'scale-{processes}-{round_no}.db'}"
        port = free_port()
        procs = [start(host_cmd(APP, port, url, processes, False), port, env)]
        ports = [port]
    else:
        reset_pg_schema("hp_scale")
        url = pg_url("hp_scale")
        ports = [free_port() for _ in range(processes)]
        procs = [start(host_cmd(APP, p, url, 1, False), p, env) for p in ports]
    try:
        run_parallel_wrk(ports, 16 * processes, 2, script)  # warm-up
        before = sum(group_cpu_seconds(p.pid) for p in procs)
        rps, requests = run_parallel_wrk(ports, args.conc, args.seconds, script)
        spent = sum(group_cpu_seconds(p.pid) for p in procs) - before
    finally:
        for p in procs:
            stop(p)
    return {"rps": rps, "cpu_us": 1e6 * spent / max(1.0, requests)}


def chart(rows: list[dict[str, Any]], path: Path, conc: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.6), dpi=110)
    for backend, label in (
        ("sqlite", "SQLite: hypercorn workers"),
        ("postgres", "PostgreSQL: hosts"),
    ):
        points = sorted((r["processes"], r["rps"]) for r in rows if r["backend"] == backend)
        if points:
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, marker="o", label=label)
            for x, y in points:
                ax.annotate(f"{y:,.0f}", (x, y), textcoords="offset points", xytext=(6, -12))
    ax.set_xlabel("processes")
    ax.set_xticks([1, 2])
    ax.set_ylabel("ingest requests/s (median)")
    ax.set_ylim(bottom=0)
    ax.set_title(f"Ingest scale-out, wrk c{conc}, 2 vCPUs shared with wrk")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="hp-scale-"))
    script = tmp / "post.lua"
    lua_script(script, sample_bodies(2000))
    shapes = [(b, n) for b in args.backends.split(",") for n in (1, 2)]
    measured: dict[tuple[str, int], list[dict[str, float]]] = {s: [] for s in shapes}
    for r in range(args.rounds):
        order = shapes[r % len(shapes) :] + shapes[: r % len(shapes)]
        for backend, n in order:
            cell = shape(backend, n, tmp, r, args, script)
            measured[(backend, n)].append(cell)
            print(
                f"round {r + 1} {backend} x{n}: {cell['rps']:.0f} req/s, "
                f"{cell['cpu_us']:.0f} µs CPU/req",
                flush=True,
            )
    rows = [
        {
            "backend": b,
            "processes": n,
            "rps": median([c["rps"] for c in measured[(b, n)]]),
            "cpu_us": median([c["cpu_us"] for c in measured[(b, n)]]),
            "rounds": measured[(b, n)],
        }
        for b, n in shapes
    ]
    one = {r["backend"]: r["rps"] for r in rows if r["processes"] == 1}
    table = markdown_table(
        ["backend", "processes", "req/s (median)", "× one process", "CPU µs / request"],
        [
            [
                r["backend"],
                f"{r['processes']} "
                + ("hypercorn workers" if r["backend"] == "sqlite" else "hosts"),
                f"{r['rps']:,.0f}",
                f"{r['rps'] / one[r['backend']]:.2f}",
                f"{r['cpu_us']:.0f}",
            ]
            for r in rows
        ],
    )
    report(args, table, {"rows": rows})
    if args.chart:
        chart(rows, Path(args.chart), args.conc)


if __name__ == "__main__":
    main()
