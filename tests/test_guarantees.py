"""The host's guarantees, proven with real processes (issue 5 §6):

(a) crash safety: a host under continuous signed load is killed with SIGKILL; after a restart
    every request that got a 2xx is in the store and its runs complete;
(b) scale-out: two ``serve --no-worker`` hosts and two ``worker`` processes on one PostgreSQL;
    every matching run executes, none twice concurrently;
(c) store outage: PostgreSQL unreachable gives 503 (never 200), and ingest recovers without a
    restart once it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

HERE = Path(__file__).resolve().parent
SECRET = "guarantee-secret"

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def body_for(uid: str) -> bytes:
    return json.dumps(
        {
            "triggerEvent": "BOOKING_CREATED",
            "createdAt": "2026-11-27T10:00:00Z",
            "payload": {"uid": uid},
        },
        separators=(",", ":"),
    ).encode()


def signed_headers(body: bytes) -> dict[str, str]:
    sig = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Cal-Signature-256": sig}


class Proc:
    """A hookpoint CLI subprocess in its own process group."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self.handle = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hookpoint.cli", *args],
            cwd=HERE,
            env=env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, sig: int = signal.SIGKILL) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.handle.close()


def wait_ready(port: int, proc: Proc, timeout: float = 30.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.proc.poll() is not None:
            raise AssertionError(f"process exited: {proc.log.read_text()[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"host on {port} never became ready: {proc.log.read_text()[-3000:]}")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "GUARANTEE_SECRET": SECRET,
        "GUARANTEE_LOG": str(tmp_path / "runs.log"),
        "HOOKPOINT_LOG_LEVEL": "WARNING",
        "HOOKPOINT_LEASE_SECONDS": "3",
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }


@contextlib.contextmanager
def running(args: list[str], env: dict[str, str], log: Path, port: int | None) -> Iterator[Proc]:
    proc = Proc(args, env, log)
    try:
        if port is not None:
            wait_ready(port, proc)
        yield proc
    finally:
        proc.kill(signal.SIGTERM)


def executions(log: Path) -> dict[str, list[tuple[str, str, int, str]]]:
    """uid -> [(run id, attempt, pid, phase)] in file order."""
    out: dict[str, list[tuple[str, str, int, str]]] = {}
    if not log.exists():
        return out
    for line in log.read_text().splitlines():
        uid, run_id, attempt, pid, phase = line.split()
        out.setdefault(uid, []).append((run_id, attempt, int(pid), phase))
    return out


def wait_until(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


async def send_load(
    port: int,
    uids: list[str],
    acked: list[str],
    concurrency: int = 8,
    stop: asyncio.Event | None = None,
) -> int:
    """Send signed requests; record the uids that got a 2xx. Returns the 503 count."""
    queue = list(reversed(uids))
    unavailable = 0

    async def one(client: httpx.AsyncClient) -> None:
        nonlocal unavailable
        while queue and not (stop and stop.is_set()):
            uid = queue.pop()
            body = body_for(uid)
            try:
                r = await client.post(
                    f"http://127.0.0.1:{port}/webhooks/caldotcom",
                    content=body,
                    headers=signed_headers(body),
                )
            except httpx.HTTPError:
                continue
            if 200 <= r.status_code < 300:
                acked.append(uid)
            elif r.status_code == 503:
                unavailable += 1
            else:
                raise AssertionError(f"unexpected {r.status_code}: {r.text}")

    async with httpx.AsyncClient(timeout=10) as client:
        await asyncio.gather(*(one(client) for _ in range(concurrency)))
    return unavailable


# -- (a) crash safety ---------------------------------------------------------------------------


def test_sigkill_under_load_loses_no_acknowledged_request(
    tmp_path: Path, env: dict[str, str]
) -> None:
    db = tmp_path / "crash.db"
    port = free_port()
    args = ["serve", "guarantee_app:hp", "--port", str(port), "--database-url", f"sqlite:///{db}"]
    acked: list[str] = []
    uids = [f"crash-{i}" for i in range(5000)]
    host = Proc(args, env, tmp_path / "host1.log")
    wait_ready(port, host)

    async def load_then_kill() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(send_load(port, uids, acked, stop=stop))
        while len(acked) < 150:
            await asyncio.sleep(0.01)
        host.kill(signal.SIGKILL)  # mid-load, mid-commit
        stop.set()
        await task

    asyncio.run(load_then_kill())
    assert len(acked) >= 150
    with running(args, env, tmp_path / "host2.log", port):

        def all_ran() -> bool:
            ran = executions(Path(env["GUARANTEE_LOG"]))
            return all(any(p == "end" for *_, p in ran.get(uid, [])) for uid in acked)

        wait_until(all_ran, 60, "every acknowledged request's run to complete after restart")
        listed = httpx.get(f"http://127.0.0.1:{port}/api/requests?limit=500").json()
        assert listed["items"]


# -- (b) scale-out on PostgreSQL ----------------------------------------------------------------


@pytest.mark.postgres
def test_two_hosts_and_two_workers_on_postgres(
    tmp_path: Path, env: dict[str, str], pg_url: str
) -> None:
    subprocess.run(
        [sys.executable, "-m", "hookpoint.cli", "db", "upgrade", "--database-url", pg_url],
        cwd=HERE,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    ports = [free_port(), free_port()]
    with contextlib.ExitStack() as stack:
        for i, port in enumerate(ports):
            stack.enter_context(
                running(
                    [
                        "serve",
                        "guarantee_app:hp",
                        "--no-worker",
                        "--port",
                        str(port),
                        "--database-url",
                        pg_url,
                    ],
                    env,
                    tmp_path / f"host{i}.log",
                    port,
                )
            )
        for i in range(2):
            stack.enter_context(
                running(
                    ["worker", "guarantee_app:hp", "--database-url", pg_url],
                    env,
                    tmp_path / f"worker{i}.log",
                    None,
                )
            )
        acked: list[str] = []

        async def both() -> None:
            uids = [f"scale-{i}" for i in range(600)]
            await asyncio.gather(
                send_load(ports[0], uids[::2], acked), send_load(ports[1], uids[1::2], acked)
            )

        asyncio.run(both())
        assert len(acked) == 600
        log = Path(env["GUARANTEE_LOG"])

        def all_done() -> bool:
            ran = executions(log)
            return all(any(p == "end" for *_, p in ran.get(uid, [])) for uid in acked)

        wait_until(all_done, 90, "all runs to finish on the two workers")
    ran = executions(log)
    pids = {pid for rows in ran.values() for _, _, pid, _ in rows}
    assert len(pids) == 2, "both workers should have executed runs"
    for uid, rows in ran.items():
        # one run per request; never two executions of it overlapping
        assert len({run_id for run_id, *_ in rows}) == 1, uid
        open_count = 0
        for *_, phase in rows:
            open_count += 1 if phase == "start" else -1
            assert open_count <= 1, f"run of {uid} executed twice concurrently: {rows}"


# -- (c) store outage -----------------------------------------------------------------------------


@pytest.mark.postgres
async def test_postgres_outage_is_503_and_ingest_recovers(tmp_path: Path, pg_url: str) -> None:
    from hookpoint._server import HookpointServer
    from hookpoint._settings import Settings

    sys.path.insert(0, str(HERE))
    try:
        import guarantee_app
        from tcp_proxy import TcpProxy
    finally:
        sys.path.remove(str(HERE))
    proxy = TcpProxy()
    proxy.restore()
    url = pg_url.replace(":5432/", f":{proxy.port}/")
    server = HookpointServer(guarantee_app.hp, Settings(database_url=url), run_worker=False)
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:

            async def post(uid: str) -> httpx.Response:
                body = body_for(uid)
                return await client.post(
                    "/webhooks/caldotcom", content=body, headers=signed_headers(body)
                )

            assert (await post("before")).status_code == 200
            await asyncio.to_thread(proxy.cut)
            down = [await post(f"down-{i}") for i in range(3)]
            assert [r.status_code for r in down] == [503, 503, 503]
            assert (await client.get("/readyz")).status_code == 503
            await asyncio.to_thread(proxy.restore)

            async def recovered() -> bool:
                return (await post("after")).status_code == 200

            deadline = time.time() + 30
            while not await recovered():
                assert time.time() < deadline, "ingest did not recover"
                await asyncio.sleep(0.5)
            items = (await client.get("/api/requests?status=accepted")).json()["items"]
            # "before" and "after" only: nothing answered 503 was half-written
            assert len(items) == 2
    proxy.close()
