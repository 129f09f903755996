"""Where the host's own time per request goes: a per-stage account of the ingest path.

    python bench/ingest/stages.py [--quick] [--requests 20000] [--conc 16] [--repeat 7]
                                  [--json F] [--markdown F]

No HTTP and no wrk: the host (``HookpointServer`` over the benchmark app, SQLite with
``synchronous=FULL`` in a temporary directory) is driven in-process with the ASGI messages
hypercorn would give it for the ingest benchmark's signed cal.com deliveries, so that what is
measured is Hookpoint's own work, not the HTTP server's (which the ceiling app pays as well).

1. **Stages.** Each stage of the hot path is timed on its own, in a tight loop over
   pre-built inputs taken from a real request, calling the same functions the handler calls;
   every figure is the best of ``--repeat`` rounds (the minimum is what the code costs; load on
   the machine only adds). Stages that the handler runs inside one function (the framing scan
   of ``_read_body``, the header decoding of ``_snapshot``) are split by timing the part alone
   and subtracting it.
2. **End to end.** ``--requests`` requests through the whole handler with ``--conc`` of them
   in flight (after as many to warm up; the least disturbed of three such passes), and the same
   through the ceiling app (``ceiling_app.py``): CPU time per request of
   the event-loop thread (``time.thread_time``) and of the whole process (``time.process_time``,
   the SQLite writer thread included), and how many requests each commit held.

The difference between the end-to-end loop time and the sum of the stages is the event loop's
own share: tasks, futures, the writer's hand-over and its wake-up of the loop.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import markdown_table, report  # noqa: E402
from bench.ingest.run import PATH, SECRET, sample_bodies, signature  # noqa: E402

Scope = dict[str, Any]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer requests and rounds")
    ap.add_argument("--requests", type=int, default=20000, help="end-to-end requests")
    ap.add_argument("--conc", type=int, default=16, help="end-to-end requests in flight")
    ap.add_argument("--repeat", type=int, default=7, help="rounds per stage (best is kept)")
    ap.add_argument("--loops", type=int, default=2000, help="calls per stage and round")
    ap.add_argument("--json", dest="json_out", default=None)
    ap.add_argument("--markdown", default=None)
    args = ap.parse_args(argv)
    if args.quick:
        args.requests, args.repeat, args.loops = 3000, 3, 500
    return args


def scope_for(body: bytes) -> Scope:
    """The scope hypercorn builds for wrk's request (same headers, same order)."""
    return {
        "type": "http",
        "asgi": {"spec_version": "2.1", "version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": PATH,
        "raw_path": PATH.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"x-cal-signature-256", signature(body).encode()),
            (b"x-cal-webhook-version", b"2021-10-20"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "extensions": {},
    }


def receiver(body: bytes) -> Callable[[], Awaitable[dict[str, Any]]]:
    message = {"type": "http.request", "body": body, "more_body": False}

    async def receive() -> dict[str, Any]:
        return message

    return receive


async def discard(message: dict[str, Any]) -> None:
    return None


async def best_times(
    cases: dict[str, Callable[[int], Any]], repeat: int, loops: int
) -> dict[str, float]:
    """Microseconds per call of each case, the best of ``repeat`` rounds of ``loops`` calls;
    the cases are timed round-robin, so that load on the machine hits them alike. A case that
    returns an awaitable is awaited."""
    best = dict.fromkeys(cases, float("inf"))
    for _ in range(repeat):
        for name, fn in cases.items():
            is_async = inspect.isawaitable(probe := fn(0))
            if is_async:
                await probe
            t0 = time.perf_counter()
            if is_async:
                for i in range(loops):
                    await fn(i)
            else:
                for i in range(loops):
                    fn(i)
            best[name] = min(best[name], (time.perf_counter() - t0) / loops)
    return {name: seconds * 1e6 for name, seconds in best.items()}


async def stage_times(server: Any, bodies: list[bytes], repeat: int, loops: int) -> list[Any]:
    from hookpoint._ingest import _JSON, _send
    from hookpoint._request import Headers
    from hookpoint.store import NewRequest, new_id

    handler = server.ingest
    hp = server.hp
    plugins = hp.plugins
    endpoint = hp.endpoints["caldotcom"]
    runtime = server.runtime
    store = server.store
    n = len(bodies)
    scopes = [scope_for(b) for b in bodies]
    receives = [receiver(b) for b in bodies]
    raws = [s["headers"] for s in scopes]
    requests = [handler._snapshot(scopes[i], raws[i], bodies[i], endpoint) for i in range(n)]
    for r in requests:
        r.json_view()  # parsed once: the cases below that need a parse say so
    now = time.time()
    secrets = tuple(endpoint.secrets)
    settings = endpoint.settings
    provider = endpoint.provider
    owner = plugins._owner[provider]
    verify_fn = plugins._direct_impl(owner, "hookpoint_verify_request")[0]
    describe_fn = plugins._direct_impl(owner, "hookpoint_describe_event")[0]
    infos = [plugins.describe(provider, r, settings) for r in requests]
    described = [requests[i]._with_event(infos[i]) for i in range(n)]
    handed_over: list[Any] = []

    def fresh(i: int) -> Any:  # a request whose JSON parse and filter view are not cached yet
        return handler._snapshot(scopes[i % n], raws[i % n], bodies[i % n], endpoint)

    def scan(i: int) -> None:  # the framing check at the top of _read_body, alone
        for name, value in raws[i % n]:
            lowered = name.lower()
            if lowered == b"content-length":
                int(value.strip())
            elif lowered == b"transfer-encoding":
                pass

    def decode(i: int) -> Headers:
        return Headers([(k.decode("latin-1"), v.decode("latin-1")) for k, v in raws[i % n]])

    def runs(i: int) -> Any:  # on a request with the parse cached but no filter view yet
        return runtime.runs_for(endpoint, requests[i % n]._with_event(infos[i % n]))

    def record(i: int) -> NewRequest:
        """What ``_ingest`` builds for the store (its runs come from the filter stage)."""
        r = described[i % n]
        info = infos[i % n]
        return NewRequest(
            id=new_id(),
            endpoint_id=endpoint.id,
            method=r.method,
            url=r.url,
            headers=tuple(r.headers.items()),
            body=r.body,
            received_at=r.received_at.timestamp(),
            client=r.client,
            event_type=info.type if info else None,
            event_id=info.id if info else None,
            runs=run_specs,
        )

    run_specs = runtime.runs_for(endpoint, described[0])
    store_record = record(0)

    def hand_off(i: int) -> None:
        """``store.ingest`` up to its await: the rows, the op, the future, the queue."""
        coroutine = store.ingest(store_record)
        coroutine.send(None)
        coroutine.close()

    async def respond(i: int) -> None:
        await _send(discard, 200, b'{"id":"x","duplicate":false,"runs":1}', _JSON)

    async def read(i: int) -> bytes:
        body: bytes = await handler._read_body(raws[i % n], receives[i % n])
        return body

    cases: dict[str, Callable[[int], Any]] = {
        "scan": scan,
        "read": read,
        "decode": decode,
        "fresh": fresh,
        "parse": lambda i: fresh(i).json_view(),
        "challenge": lambda i: plugins.challenge(provider, requests[i % n], settings, secrets),
        "verify direct": lambda i: verify_fn(
            provider=provider, request=requests[i % n], settings=settings, secrets=secrets, now=now
        ),
        "verify": lambda i: plugins.verify(provider, requests[i % n], settings, secrets, now),
        "describe direct": lambda i: describe_fn(
            provider=provider, request=requests[i % n], settings=settings
        ),
        "describe": lambda i: plugins.describe(provider, requests[i % n], settings),
        "with event": lambda i: requests[i % n]._with_event(infos[i % n]),
        "runs": runs,
        "metrics": lambda i: server.metrics.observe_ingest("caldotcom", "accepted", 0.001),
        "record": record,
        "hand off": hand_off,
        "respond": respond,
    }
    submit = store._submit
    store._submit = lambda loop, op: handed_over.append(op)  # nothing reaches the writer
    try:
        t = await best_times(cases, repeat, loops)
    finally:
        store._submit = submit
        for op in handed_over:
            op.future.cancel()
    rows = [
        ("header decoding", t["decode"]),
        ("body read and deadline", t["read"] - t["scan"]),
        ("snapshot (WebhookRequest, URL)", t["fresh"] - t["decode"]),
        ("handshake check (challenge hook)", t["challenge"]),
        (
            "plugin dispatch (verify + describe)",
            (t["verify"] - t["verify direct"]) + (t["describe"] - t["describe direct"]),
        ),
        ("verification (header, HMAC, compare)", t["verify direct"]),
        (
            "event description (JSON parse, EventInfo, copy)",
            (t["parse"] - t["fresh"]) + t["describe direct"] + t["with event"],
        ),
        ("dedupe (off in the benchmark app: no key, no upsert)", 0.0),
        ("filter matching (runs_for)", t["runs"] - t["with event"]),
        ("metrics", t["metrics"]),
        ("request record (NewRequest, ids)", t["record"]),
        ("store hand-off (rows, op, future, queue)", t["hand off"]),
        ("response", t["respond"]),
    ]
    return [(name, max(0.0, us)) for name, us in rows]


async def end_to_end(app: Any, bodies: list[bytes], requests: int, conc: int) -> dict[str, float]:
    scopes = [scope_for(b) for b in bodies]
    receives = [receiver(b) for b in bodies]
    statuses: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    counter = iter(range(requests))

    async def client() -> None:
        for i in counter:
            await app(scopes[i % len(scopes)], receives[i % len(scopes)], send)

    for _ in range(2):  # warm-up, then the measured pass
        counter = iter(range(requests))
        statuses.clear()
        wall, cpu, loop_cpu = time.perf_counter(), time.process_time(), time.thread_time()
        await asyncio.gather(*(client() for _ in range(conc)))
        wall = time.perf_counter() - wall
        cpu = time.process_time() - cpu
        loop_cpu = time.thread_time() - loop_cpu
    ok = sum(1 for s in statuses if 200 <= s < 300)
    return {
        "requests": float(requests),
        "ok": float(ok),
        "loop_us": 1e6 * loop_cpu / requests,
        "process_us": 1e6 * cpu / requests,
        "wall_us": 1e6 * wall / requests,
    }


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    os.environ.setdefault("BENCH_SECRET", SECRET)
    from bench.ingest import ceiling_app
    from bench.ingest.bench_app import hp
    from hookpoint._server import HookpointServer
    from hookpoint._settings import Settings

    bodies = sample_bodies(500)
    tmp = Path(tempfile.mkdtemp(prefix="hp-stages-"))
    settings = Settings(database_url=f"sqlite:///{tmp / 'stages.db'}", no_worker=True)
    server = HookpointServer(hp, settings)
    async with server.running():
        stages = await stage_times(server, bodies, args.repeat, args.loops)
        commits_before = server.store.stats.commits
        passes = [await end_to_end(server, bodies, args.requests, args.conc) for _ in range(3)]
        commits = server.store.stats.commits - commits_before
    host = min(passes, key=lambda p: p["process_us"])  # the least disturbed of three
    ceiling = min(
        [await end_to_end(ceiling_app.app, bodies, args.requests, args.conc) for _ in range(3)],
        key=lambda p: p["loop_us"],
    )
    host["per_commit"] = 6 * args.requests / max(1, commits)  # 3 calls of 2 passes committed
    return {"stages": stages, "host": host, "ceiling": ceiling}


def markdown(result: dict[str, Any]) -> str:
    host, ceiling = result["host"], result["ceiling"]
    rows = [[name, f"{us:.1f}"] for name, us in result["stages"]]
    total = sum(us for _, us in result["stages"])
    loop_beyond = host["loop_us"] - ceiling["loop_us"]
    writer = host["process_us"] - host["loop_us"]
    rows.append(["**sum of the stages**", f"**{total:.1f}**"])
    rows.append(
        [
            "commit wait on the loop (task switch at the store's future, the writer's wake-up "
            "of the loop, resolving the futures) and the rest of the loop's share",
            f"{loop_beyond - total:.1f}",
        ]
    )
    rows.append(["**event-loop thread, end to end, beyond the ceiling**", f"**{loop_beyond:.1f}**"])
    rows.append(
        [
            f"SQLite writer thread (commit, {host['per_commit']:.1f} requests a commit)",
            f"{writer:.1f}",
        ]
    )
    rows.append(
        [
            "**host's own time per request beyond the ceiling**",
            f"**{loop_beyond + writer:.1f}**",
        ]
    )
    return markdown_table(["stage", "µs / request"], rows)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    result = asyncio.run(measure(args))
    table = markdown(result)
    h, c = result["host"], result["ceiling"]
    print(
        f"end to end, c{args.conc}: host loop {h['loop_us']:.1f} µs, process {h['process_us']:.1f}"
        f" µs, wall {h['wall_us']:.1f} µs a request ({int(h['ok'])}/{int(h['requests'])} 2xx); "
        f"ceiling app loop {c['loop_us']:.1f} µs"
    )
    report(args, table, result)


if __name__ == "__main__":
    main()
