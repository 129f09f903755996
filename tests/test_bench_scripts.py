"""The benchmark scripts stay runnable: each imports and parses its arguments (``--quick``
included), and the open-loop load generator measures a real server. Nothing here is timed."""

from __future__ import annotations

import asyncio
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SCRIPTS = [
    "bench.ingest.run",
    "bench.ingest.stages",
    "bench.ingest.openloop",
    "bench.ingest.scaleout",
    "bench.runs.run",
    "bench.soak.run",
]


@pytest.mark.parametrize("name", SCRIPTS)
def test_script_parses_its_arguments(name: str) -> None:
    module = importlib.import_module(name)
    quick = module.parse_args(["--quick"])
    assert quick.quick is True
    full = module.parse_args([])
    assert full.quick is False
    with pytest.raises(SystemExit):
        module.parse_args(["--no-such-option"])


def test_quick_mode_shortens_the_ingest_benchmark() -> None:
    from bench.ingest.run import parse_args

    args = parse_args(["--quick"])
    assert (args.seconds, args.rounds, args.conc) == (3, 1, "16")
    assert parse_args(["--rounds", "5"]).rounds == 5


def test_ceiling_app_answers_after_reading_the_body() -> None:
    from bench.ingest.ceiling_app import app

    sent: list[dict[str, object]] = []
    chunks = [
        {"type": "http.request", "body": b"a", "more_body": True},
        {"type": "http.request", "body": b"b", "more_body": False},
    ]

    async def receive() -> dict[str, object]:
        return chunks.pop(0)

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    asyncio.run(app({"type": "http"}, receive, send))
    assert not chunks  # the whole body was read
    assert sent[0]["status"] == 200 and sent[1]["body"] == b"hello world"


def test_percentile_is_nearest_rank() -> None:
    from bench._common import percentile

    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 0.999) == 100.0


_LOADGEN_SCENARIO = """
import asyncio, json, sys
sys.path.insert(0, sys.argv[1])
from bench._loadgen import http_request, paced

async def scenario():
    served = 0

    async def handle(reader, writer):
        nonlocal served
        while True:
            try:
                head = await reader.readuntil(b"\\r\\n\\r\\n")
            except asyncio.IncompleteReadError:
                break
            length = int(head.lower().split(b"content-length:")[1].split(b"\\r\\n")[0])
            await reader.readexactly(length)
            served += 1
            status = b"201 Created" if served % 2 else b"404 Not Found"
            writer.write(b"HTTP/1.1 " + status + b"\\r\\nContent-Length: 2\\r\\n\\r\\nok")
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = http_request("/x", {"Content-Type": "text/plain"}, b"hello")
    result = await paced(port, [request], rate=200, seconds=0.5)
    server.close()
    print(json.dumps([result.sent, len(result.latencies_ms), result.statuses, result.ok]))

asyncio.run(scenario())
"""


def test_open_loop_generator_measures_every_answer() -> None:
    # In a process of its own: on CPython 3.11.7 an asyncio server run inside pytest's process
    # left the interpreter's AST recursion counter off, and a later import by pytest failed.
    out = subprocess.run(
        [sys.executable, "-c", _LOADGEN_SCENARIO, str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    sent, measured, statuses, ok = json.loads(out)
    assert sent == 100 and measured == 100  # every request was sent and answered
    assert statuses == {"201": 50, "404": 50}
    assert ok == 50  # only the 2xx count as acknowledged


@pytest.mark.parametrize("indexes", ["all", "keys"])
def test_the_floor_stores_hookpoint_rows_before_it_answers(tmp_path: Path, indexes: str) -> None:
    """``minimal_app.py`` is only a fair floor if it does what the host must: refuse a bad
    signature, and answer 200 only once the request and its run are committed in the host's
    own schema; ``MINIMAL_INDEXES=keys`` keeps only the primary keys."""
    database = tmp_path / "floor.db"
    out = subprocess.run(
        [sys.executable, "-c", _FLOOR_SCENARIO, str(ROOT), str(database), indexes],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    statuses, stored, secondary = json.loads(out)
    assert statuses == [200, 200, 401]
    assert stored == {"requests": 2, "runs": 2, "event_types": ["BOOKING_CREATED"]}
    if indexes == "keys":
        assert secondary == []
    else:  # the host's own: what its listings, feed, charts and claims read by
        assert {"requests_feed", "requests_received", "runs_due", "runs_request"} <= set(secondary)


_FLOOR_SCENARIO = """
import asyncio, json, os, sqlite3, sys
sys.path.insert(0, sys.argv[1])
os.environ["MINIMAL_DATABASE"] = sys.argv[2]
os.environ["MINIMAL_INDEXES"] = sys.argv[3]
from bench.ingest import minimal_app
from bench.ingest.run import sample_bodies
from bench.ingest.stages import scope_for

def forged(body):
    scope = scope_for(body)
    scope["headers"] = [
        (name, b"0" * 64 if name == b"x-cal-signature-256" else value)
        for name, value in scope["headers"]
    ]
    return scope

async def call(scope, body):
    sent = []
    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}
    async def send(message):
        sent.append(message)
    await minimal_app.app(scope, receive, send)
    return sent[0]["status"]

async def lifespan(kind):
    messages = [{"type": f"lifespan.{kind}"}]
    async def receive():
        return messages.pop(0) if messages else await asyncio.Future()
    done = asyncio.Event()
    async def send(message):
        done.set()
    task = asyncio.create_task(minimal_app.app({"type": "lifespan"}, receive, send))
    await done.wait()
    return task

async def main():
    first, second = sample_bodies(2)
    task = await lifespan("startup")
    task.cancel()
    statuses = [
        await call(scope_for(first), first),
        await call(scope_for(second), second),
        await call(forged(first), first),
    ]
    await lifespan("shutdown")
    return statuses

statuses = asyncio.run(main())
db = sqlite3.connect(sys.argv[2])
stored = {
    "requests": db.execute("SELECT count(*) FROM requests").fetchone()[0],
    "runs": db.execute("SELECT count(*) FROM runs WHERE status = 'queued'").fetchone()[0],
    "event_types": [r[0] for r in db.execute("SELECT DISTINCT event_type FROM requests")],
}
secondary = [
    r[0]
    for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        " AND tbl_name IN ('requests', 'runs')"
    )
]
print(json.dumps([statuses, stored, secondary]))
"""
