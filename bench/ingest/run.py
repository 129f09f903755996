"""Ingest benchmark: Hookpoint against the stack's ceiling and against bare Quart.

    python bench/ingest/run.py [--quick] [--seconds 8] [--rounds 3] [--conc 1,16,64]
                               [--backends sqlite,postgres] [--workers N] [--worker]
                               [--sqlite-synchronous FULL|NORMAL] [--app M:ATTR]
                               [--no-minimal] [--keys-only] [--json F] [--markdown F]

Servers, each on hypercorn with the same settings, driven by wrk (signed ~1.5 KB cal.com
``BOOKING_CREATED`` deliveries, 2,000 distinct bodies) in the same interleaved rounds:

* **ceiling**: a raw ASGI hello world (``bench/ingest/ceiling_app.py``) - what anything on
  this stack can do;
* **bare Quart**: a Quart hello world (``bench/ingest/bare_app.py``);
* **minimal-sqlite** (with the SQLite backend, unless ``--no-minimal``): the floor
  (``bench/ingest/minimal_app.py``), a raw ASGI app that verifies, parses and stores the same
  rows in Hookpoint's schema with the same durability and nothing else - what the host could
  reach if its own work cost nothing; with ``--keys-only`` also **minimal-keys-only**, the same
  app with the two tables' secondary indexes dropped;
* **Hookpoint** (``hookpoint serve``, ``--no-worker`` unless ``--worker``) on SQLite
  (``synchronous=FULL``) and/or PostgreSQL: verify, describe, filter, durable group-committed
  insert of the request and its run, 200 only after the commit.

Reports per server and concurrency: requests/s, p50/p99, the server's CPU time per request (all
its processes and threads, from /proc), non-2xx answers, and the host's ratios host/ceiling and
host/bare. With ``--rounds N`` the order of the servers rotates each round; a ratio is taken
within one round (this VM drifts by 10-20% within minutes) and the median of the rounds is
reported with its spread. ``--quick``: 3 s cells, one round, c16 only. Needs ``wrk``.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402 - needs ROOT on sys.path
    VENV_BIN,
    bench_env,
    free_port,
    group_cpu_seconds,
    markdown_table,
    median,
    pg_url,
    report,
    reset_pg_schema,
    run_wrk,
    start,
    stop,
)

SECRET = "bench-secret"
PATH = "/webhooks/caldotcom"
CEILING = "ceiling"
BARE = "bare-quart"

Cells = dict[int, dict[str, float]]
"""One server's measurements by concurrency."""


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


def signature(body: bytes) -> str:
    return hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


def lua_script(path: Path, bodies: list[bytes]) -> None:
    # wrk.format's header table replaces wrk.headers, so Host must be given (HTTP/1.1).
    lines = ["local reqs = {}"]
    for i, body in enumerate(bodies, 1):
        lines.append(
            f'reqs[{i}] = wrk.format("POST", nil, {{["Host"]="127.0.0.1",'
            f'["Content-Type"]="application/json",'
            f'["X-Cal-Signature-256"]="{signature(body)}",'
            f'["X-Cal-Webhook-Version"]="2021-10-20"}}, '
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


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 s cells, one round, c16 only")
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="measure every server this often, interleaved (the order rotates each round); "
        "ratios are taken within a round and their median is reported",
    )
    ap.add_argument("--backends", default="sqlite,postgres")
    ap.add_argument("--conc", default="1,16,64")
    ap.add_argument("--workers", type=int, default=1, help="hypercorn workers, for every server")
    ap.add_argument(
        "--worker", action="store_true", help="run the host's in-process worker (jobs run too)"
    )
    ap.add_argument("--app", default="bench.ingest.bench_app:hp", help="the Hookpoint app")
    ap.add_argument(
        "--no-minimal",
        dest="minimal",
        action="store_false",
        help="leave out the floor (minimal_app.py) that runs beside the SQLite host",
    )
    ap.add_argument(
        "--keys-only",
        action="store_true",
        help="also run the floor without the secondary indexes (primary keys only)",
    )
    ap.add_argument(
        "--sqlite-synchronous",
        default="FULL",
        choices=["FULL", "NORMAL"],
        help="HOOKPOINT_SQLITE_SYNCHRONOUS for the SQLite host (NORMAL: no fsync per commit)",
    )
    ap.add_argument("--json", dest="json_out", default=None, help="write the results here")
    ap.add_argument("--markdown", default=None, help="write the summary table here")
    args = ap.parse_args(argv)
    if args.quick:
        args.seconds, args.rounds, args.conc = 3, 1, "16"
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    return args


def hypercorn_cmd(app: str, port: int, workers: int) -> list[str]:
    """A plain app on hypercorn with the settings ``hookpoint serve`` gives it (no access
    log, no per-read timeout: hypercorn's defaults)."""
    return [
        str(VENV_BIN / "hypercorn"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        app,
    ]


def host_cmd(app: str, port: int, url: str, workers: int, worker: bool) -> list[str]:
    cmd = [str(VENV_BIN / "hookpoint"), "serve", app, "--port", str(port)]
    cmd += ["--workers", str(workers), "--database-url", url]
    return cmd if worker else [*cmd, "--no-worker"]


def measure(
    cmd: list[str],
    port: int,
    env: dict[str, str],
    concs: list[int],
    seconds: float,
    script: Path,
) -> Cells:
    """Start a server, warm it up, run wrk at each concurrency; its cells."""
    proc = start(cmd, port, env)
    url = f"http://127.0.0.1:{port}{PATH}"
    try:
        run_wrk(url, 16, 2, script)  # warm-up
        cells: Cells = {}
        for c in concs:
            before = group_cpu_seconds(proc.pid)
            cell = run_wrk(url, c, seconds, script)
            spent = group_cpu_seconds(proc.pid) - before
            cell["cpu_us"] = 1e6 * spent / max(1.0, cell["requests"])
            cells[c] = cell
        return cells
    finally:
        stop(proc)


def summarise(
    rounds: list[dict[str, Cells]], labels: list[str], concs: list[int]
) -> dict[str, dict[int, dict[str, float]]]:
    summary: dict[str, dict[int, dict[str, float]]] = {}
    for label in labels:
        summary[label] = {}
        for c in concs:
            row: dict[str, float] = {
                "rps": median([rs[label][c]["rps"] for rs in rounds]),
                "p50": median([rs[label][c]["p50"] for rs in rounds]),
                "p99": median([rs[label][c]["p99"] for rs in rounds]),
                "cpu_us": median([rs[label][c]["cpu_us"] for rs in rounds]),
                "non2xx": sum(rs[label][c]["non2xx"] for rs in rounds),
                "socket_errors": sum(rs[label][c]["socket_errors"] for rs in rounds),
            }
            for base, key in ((CEILING, "x_ceiling"), (BARE, "x_bare")):
                if base not in labels:
                    continue
                ratios = [rs[label][c]["rps"] / rs[base][c]["rps"] for rs in rounds]
                row[key] = median(ratios)
                row[key + "_min"] = min(ratios)
                row[key + "_max"] = max(ratios)
            summary[label][c] = row
    return summary


def markdown(summary: dict[str, dict[int, dict[str, float]]], rounds: int) -> str:
    rows = []
    for label, cells in summary.items():
        for c, r in cells.items():

            def ratio(key: str, r: dict[str, float] = r) -> str:
                if key not in r:
                    return "-"
                if rounds == 1:
                    return f"{r[key]:.2f}"
                return f"{r[key]:.2f} [{r[key + '_min']:.2f}-{r[key + '_max']:.2f}]"

            rows.append(
                [
                    label,
                    c,
                    f"{r['rps']:,.0f}",
                    ratio("x_ceiling"),
                    ratio("x_bare"),
                    f"{r['p50']:.2f}",
                    f"{r['p99']:.2f}",
                    f"{r['cpu_us']:.0f}",
                    int(r["non2xx"]),
                ]
            )
    header = [
        "server",
        "conc",
        "req/s (median)",
        "× ceiling",
        "× bare Quart",
        "p50 ms",
        "p99 ms",
        "CPU µs / request",
        "non-2xx",
    ]
    return markdown_table(header, rows)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    concs = [int(c) for c in args.conc.split(",")]
    tmp = Path(tempfile.mkdtemp(prefix="hp-bench-"))
    script = tmp / "post.lua"
    lua_script(script, sample_bodies(2000))
    env = bench_env(BENCH_SECRET=SECRET, HOOKPOINT_SQLITE_SYNCHRONOUS=args.sqlite_synchronous)

    def plain(app: str) -> Callable[[int], Cells]:
        def run(round_no: int) -> Cells:
            port = free_port()
            return measure(
                hypercorn_cmd(app, port, args.workers), port, env, concs, args.seconds, script
            )

        return run

    def host(backend: str) -> Callable[[int], Cells]:
        def run(round_no: int) -> Cells:
            port = free_port()
            if backend == "sqlite":
                url = f"sqlite:///{tmp / f'bench-{round_no}.db'}"  # a fresh file each round
            else:
                reset_pg_schema("hp_bench")
                url = pg_url("hp_bench")
            cmd = host_cmd(args.app, port, url, args.workers, args.worker)
            return measure(cmd, port, env, concs, args.seconds, script)

        return run

    def minimal(indexes: str) -> Callable[[int], Cells]:
        def run(round_no: int) -> Cells:
            port = free_port()
            database = tmp / f"minimal-{indexes}-{round_no}.db"  # a fresh file each round
            cmd = hypercorn_cmd("bench.ingest.minimal_app:app", port, args.workers)
            floor_env = {**env, "MINIMAL_DATABASE": str(database), "MINIMAL_INDEXES": indexes}
            return measure(cmd, port, floor_env, concs, args.seconds, script)

        return run

    servers: list[tuple[str, Callable[[int], Cells]]] = [
        (CEILING, plain("bench.ingest.ceiling_app:app")),
        (BARE, plain("bench.ingest.bare_app:app")),
    ]
    backends = args.backends.split(",")
    if args.minimal and "sqlite" in backends:
        servers.append(("minimal-sqlite", minimal("all")))
        if args.keys_only:
            servers.append(("minimal-keys-only", minimal("keys")))
    for backend in backends:
        servers.append((f"hookpoint-{backend}", host(backend)))
    labels = [label for label, _ in servers]
    # rounds[r][label] = cells; the order rotates so that no server always runs first or last
    rounds: list[dict[str, Cells]] = []
    for r in range(args.rounds):
        shift = r % len(servers)
        this: dict[str, Cells] = {}
        for label, run in servers[shift:] + servers[:shift]:
            this[label] = run(r)
            for c, cell in this[label].items():
                print(
                    f"round {r + 1} {label:<20} c{c:<4} {cell['rps']:>8.0f} req/s "
                    f"p99 {cell['p99']:>7.2f} ms  {cell['cpu_us']:>5.0f} µs CPU/req  "
                    f"non-2xx {int(cell['non2xx'])}",
                    flush=True,
                )
        rounds.append(this)
    summary = summarise(rounds, labels, concs)
    table = markdown(summary, args.rounds)
    report(args, table, {"rounds": rounds, "summary": summary})


if __name__ == "__main__":
    main()
