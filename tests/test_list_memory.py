"""Listings never load what they do not show: request bodies and headers, run outputs.

Security issue 22, finding 2: ``GET /api/requests?limit=500`` read the body of every listed
request (60 stored 8 MB deliveries took a host from ~100 MB to 562 MB RSS in one call). These
tests store 80 MB of bodies (and 40 MB of run outputs) and list them through the real management
API and the real CLI, on both backends, measuring the memory the listing takes.
"""

from __future__ import annotations

import asyncio
import gc
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import httpx
import pytest

from hookpoint import Hookpoint
from hookpoint._server import HookpointServer
from hookpoint._settings import Settings
from hookpoint.store import NewRequest, NewRun, Store, new_id, open_store

sys.path.insert(0, str(Path(__file__).resolve().parent))
try:
    from pg_schema import PgSchema
finally:
    sys.path.pop(0)

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
TOKEN = "list-memory-admin-token-0123456789"

COUNT = 20
BODY_SIZE = 4 * 1024 * 1024
OUTPUT_SIZE = 2 * 1024 * 1024
TRACED_BOUND = 8 * 1024 * 1024
"""What one listing call may allocate (Python objects, all threads) while the listed rows hold
COUNT × BODY_SIZE = 80 MB of bodies and COUNT × OUTPUT_SIZE = 40 MB of run outputs."""


def _body(i: int) -> bytes:
    head = b'{"n": %d, "pad": "' % i
    return head + b"x" * (BODY_SIZE - len(head) - 2) + b'"}'


async def _store_big_deliveries(store: Store, *, body: bool = True) -> list[str]:
    """COUNT deliveries of BODY_SIZE each (straight into the store), one run each, finished
    with an OUTPUT_SIZE output; returns the request ids."""
    ids = []
    for i in range(COUNT):
        result = await store.ingest(
            NewRequest(
                id=new_id(),
                endpoint_id="big",
                method="POST",
                url="http://127.0.0.1/webhooks/big",
                headers=(("content-type", "application/json"),),
                body=_body(i) if body else b"{}",
                received_at=time.time(),
                event_type="big.event",
                runs=(NewRun(job_id="big-job", job_version="1", max_attempts=1),),
            )
        )
        ids.append(result.request_id)
        [claimed] = await store.claim_runs("w", limit=1, lease_seconds=60)
        output = {"echo": "y" * OUTPUT_SIZE} if body else {"echo": "y"}
        assert await store.finish_run("w", claimed.run.id, claimed.attempt, output=output)
        del claimed
    gc.collect()
    return ids


async def _traced_peak(call: Any) -> tuple[Any, int]:
    """``await call()`` with tracemalloc on: its result and the peak it allocated (bytes)."""
    gc.collect()
    tracemalloc.start()
    try:
        result = await call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


@pytest.mark.parametrize("backend", BACKENDS)
async def test_api_listings_do_not_load_bodies_or_outputs(backend: str, tmp_path: Path) -> None:
    if backend == "postgres":
        async with PgSchema("hp_list") as schema:
            await _list_through_the_api(schema.url)
    else:
        await _list_through_the_api(f"sqlite:///{tmp_path / 'big.db'}")


async def _list_through_the_api(database_url: str) -> None:
    settings = Settings(database_url=database_url, admin_token=TOKEN, max_body_size=BODY_SIZE)
    server = HookpointServer(Hookpoint(id="list-memory"), settings, run_worker=False)
    async with server.running():
        ids = await _store_big_deliveries(server.store)
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        auth = {"Authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://localhost", headers=auth
        ) as client:
            # warm-up: imports, compiled templates and the like are not the listing's cost
            assert (await client.get("/api/requests?limit=1")).status_code == 200
            assert (await client.get("/api/runs?limit=1")).status_code == 200

            listed, peak = await _traced_peak(lambda: client.get("/api/requests?limit=500"))
            assert listed.status_code == 200
            items = listed.json()["items"]
            assert [r["id"] for r in items] == ids[::-1]
            assert all(r["body_size"] == BODY_SIZE for r in items)
            assert all("body" not in r and "headers" not in r for r in items)
            assert peak < TRACED_BOUND, f"listing 80 MB of requests allocated {peak:,} bytes"

            runs, peak = await _traced_peak(lambda: client.get("/api/runs?limit=500"))
            assert runs.status_code == 200 and len(runs.json()["items"]) == COUNT
            assert all("output" not in r for r in runs.json()["items"])
            assert peak < TRACED_BOUND, f"listing 40 MB of run outputs allocated {peak:,} bytes"

            # the detail views still load the one body and the one output they show
            detail = (await client.get(f"/api/requests/{ids[0]}")).json()
            assert len(detail["body"]) == BODY_SIZE and detail["headers"]
            assert detail["runs"] and "output" not in detail["runs"][0]
            run = (await client.get(f"/api/runs/{detail['runs'][0]['id']}")).json()
            assert len(run["output"]["echo"]) == OUTPUT_SIZE


_REPORT_PEAK = """
import atexit, sys
from pathlib import Path

peak_file = Path(sys.argv.pop(1))

def report() -> None:
    status = Path("/proc/self/status").read_text().splitlines()
    hwm = next(line for line in status if line.startswith("VmHWM:"))
    peak_file.write_text(hwm.split()[1])

atexit.register(report)
from hookpoint.cli import main
sys.argv[0] = "hookpoint"
main()
"""


def _cli(tmp_path: Path, *args: str) -> tuple[int, str]:
    """Run ``hookpoint <args>`` in a child process: its peak RSS (``VmHWM``, KiB: the
    high-water mark of this process's own memory, which ``wait4``'s ``ru_maxrss`` is not, as
    it starts from the forking parent's) and its stdout. It must succeed."""
    peak_file = tmp_path / "cli.peak"
    out = subprocess.run(
        [sys.executable, "-c", _REPORT_PEAK, str(peak_file), *args],
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return int(peak_file.read_text()), out.stdout


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_cli_listings_do_not_load_bodies_or_outputs(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'big.db'}"
        if backend == "sqlite"
        else str(request.getfixturevalue("pg_url"))
    )

    async def seed(big: bool) -> list[str]:
        async with open_store(url) as store:
            return await _store_big_deliveries(store, body=big)

    commands = {
        "requests": ("requests", "list", "--database-url", url, "--limit", "500"),
        "requests --json": ("requests", "list", "--database-url", url, "--limit", "500", "--json"),
        "runs": ("runs", "list", "--database-url", url, "--limit", "500"),
        "runs --json": ("runs", "list", "--database-url", url, "--limit", "500", "--json"),
    }
    small_ids = asyncio.run(seed(False))
    baseline = {name: _cli(tmp_path, *args)[0] for name, args in commands.items()}
    big_ids = asyncio.run(seed(True))
    for name, args in commands.items():
        peak, out = _cli(tmp_path, *args)
        for request_id in (big_ids[-1], small_ids[0]) if name.startswith("requests") else ():
            assert request_id in out
        # 80 MB of bodies and 40 MB of outputs are listed; the listing may grow by 16 MB
        assert peak - baseline[name] < 16 * 1024, (name, baseline[name], peak)
