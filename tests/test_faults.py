"""Fault injection: the store going away (PostgreSQL cut off under load, SQLite on a full disk),
jobs that hang or always raise, and senders' clocks ten minutes off.

* PostgreSQL is cut with a loopback TCP proxy between a real host (a subprocess) and the shared
  server, which is never stopped: 503 while it is gone, no acknowledged request lost, ingest and
  runs resume without restarting the host.
* SQLite on a full disk: a 2 MB tmpfs when this machine lets the test mount one (root), and in
  any case a host whose file-size limit (RLIMIT_FSIZE) the database hits. Both give 503, never a
  200 that was not stored, and the database is intact afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hookpoint import Hookpoint
from hookpoint._server import HookpointServer
from hookpoint._settings import Settings
from hookpoint.signing import check_timestamp
from hookpoint.testing import load_plugins, request_from_sample, sign_sample

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
try:
    import hostile_app as app
    from pg_schema import PG_DSN
    from tcp_proxy import TcpProxy
finally:
    sys.path.remove(str(HERE))

AUTH = {"Authorization": f"Bearer {app.ADMIN_TOKEN}"}


async def wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not await predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


# -- PostgreSQL cut off under load ----------------------------------------------------------------


async def _pg(sql: str) -> Any:
    import asyncpg

    conn = await asyncpg.connect(PG_DSN, timeout=5)
    try:
        return await conn.fetch(sql)
    finally:
        await conn.close()


class Load:
    """Signed cal.com deliveries from several concurrent senders, each with a new uid; records
    what every response was, by uid."""

    def __init__(self, url: str, senders: int = 6) -> None:
        self.url = url
        self.senders = senders
        self.acked: dict[str, str] = {}  # uid -> request id, for every 2xx
        self.log: list[tuple[float, int]] = []  # (time, status); 0 = transport error
        self.unexpected: list[str] = []
        self.stop = asyncio.Event()
        self._n = 0

    async def run(self) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as client:
            await asyncio.gather(*(self._sender(client) for _ in range(self.senders)))

    async def _sender(self, client: httpx.AsyncClient) -> None:
        while not self.stop.is_set():
            self._n += 1
            uid = f"load-{self._n}"
            body = app.cal_body(uid)
            try:
                r = await client.post(
                    "/webhooks/caldotcom", content=body, headers=app.cal_headers(body)
                )
            except httpx.HTTPError:
                self.log.append((time.monotonic(), 0))
                await asyncio.sleep(0.05)
                continue
            self.log.append((time.monotonic(), r.status_code))
            if 200 <= r.status_code < 300:
                self.acked[uid] = r.json()["id"]
            elif r.status_code == 503:
                assert r.headers.get("retry-after"), r.headers
                await asyncio.sleep(0.05)  # a sender backs off
            else:
                self.unexpected.append(f"{r.status_code} {r.text[:200]}")

    def statuses(self, since: float, until: float = float("inf")) -> list[int]:
        return [s for t, s in self.log if since <= t < until]


@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_cut_under_load_is_503_and_loses_nothing(tmp_path: Path, pg_url: str) -> None:
    proxy = TcpProxy()
    proxy.restore()
    pg_schema = pg_url.rsplit("search_path=", 1)[1]
    url = pg_url.replace(":5432/", f":{proxy.port}/")
    env = {"HOOKPOINT_LEASE_SECONDS": "3"}
    try:
        with app.served(tmp_path, database_url=url, env=env) as host:
            pid = host.pid

            async def scenario() -> Load:
                load = Load(host.url)
                task = asyncio.create_task(load.run())
                async with httpx.AsyncClient(base_url=host.url, timeout=30) as client:
                    await wait_for(lambda: _true(len(load.acked) >= 50), 60, "load to start")
                    await asyncio.to_thread(proxy.cut)
                    down_at = time.monotonic()
                    await asyncio.sleep(4)
                    ready = await client.get("/readyz")
                    assert ready.status_code == 503, ready.text
                    acked_while_down = len(load.acked)
                    await asyncio.sleep(1)
                    await asyncio.to_thread(proxy.restore)
                    up_at = time.monotonic()
                    await wait_for(
                        lambda: _true(len(load.acked) > acked_while_down + 50),
                        60,
                        "ingest to resume after PostgreSQL came back",
                    )
                    load.stop.set()
                    await task
                    assert (await client.get("/readyz")).status_code == 200
                # while the database was gone: only 503s (a second's grace after the cut for
                # requests already committing)
                down = load.statuses(down_at + 1.0, up_at)
                assert down and set(down) == {503}, sorted(set(down))
                assert not load.unexpected, load.unexpected[:5]
                return load

            load = asyncio.run(scenario())
            assert host.alive() and host.pid == pid, "the host was restarted"

            # zero acknowledged requests lost, and every one of their runs executed
            ids = sorted(load.acked.values())

            async def settled() -> bool:
                rows = await _pg(
                    f"SELECT r.id, count(u.id) AS runs, bool_and(u.status = 'succeeded') AS ok "
                    f'FROM "{pg_schema}".requests r LEFT JOIN "{pg_schema}".runs u '
                    f"ON u.request_id = r.id GROUP BY r.id"
                )
                by_id = {row["id"]: row for row in rows}
                missing = [i for i in ids if i not in by_id]
                assert not missing, f"{len(missing)} acknowledged requests lost: {missing[:5]}"
                return all(by_id[i]["runs"] >= 1 and by_id[i]["ok"] for i in ids)

            asyncio.run(wait_for(settled, 120, "every acknowledged request's run to succeed"))
            assert host.alive()
    finally:
        proxy.close()


async def _true(value: bool) -> bool:
    return value


# -- SQLite on a full disk ------------------------------------------------------------------------


@contextlib.contextmanager
def small_tmpfs(where: Path, size: str = "2m") -> Iterator[Path]:
    where.mkdir()
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"cannot mount a tmpfs here ({exc!r}); the RLIMIT_FSIZE test covers it")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()}); see RLIMIT test")
    try:
        yield where
    finally:
        if subprocess.run(["umount", str(where)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill(path: Path) -> int:
    """Write ``path`` until the file system says ENOSPC; returns the bytes written."""
    written = 0
    block = b"\0" * 4096
    with path.open("wb", buffering=0) as fh:
        while True:
            try:
                written += fh.write(block)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                return written


def integrity(db: Path) -> tuple[str, set[str]]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        check = str(conn.execute("PRAGMA integrity_check").fetchone()[0])
        ids = {row[0] for row in conn.execute("SELECT id FROM requests")}
    return check, ids


async def post_big(client: httpx.AsyncClient, uid: str, size: int) -> httpx.Response:
    body = json.dumps(
        {"triggerEvent": "BOOKING_CREATED", "payload": {"uid": uid, "pad": "x" * size}}
    ).encode()
    return await client.post("/webhooks/caldotcom", content=body, headers=app.cal_headers(body))


@pytest.mark.slow
async def test_sqlite_enospc_on_a_full_tmpfs_is_503_and_the_database_survives(
    tmp_path: Path,
) -> None:
    with small_tmpfs(tmp_path / "disk") as disk:
        db = disk / "full.db"
        settings = Settings(database_url=f"sqlite:///{db}", retention_days=0)
        server = HookpointServer(app.hp, settings, run_worker=False)
        acked: set[str] = set()
        statuses: list[int] = []
        async with server.running():
            transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
            async with httpx.AsyncClient(
                transport=transport, base_url="http://localhost"
            ) as client:
                for i in range(5):
                    r = await post_big(client, f"before-{i}", 1000)
                    assert r.status_code == 200
                    acked.add(r.json()["id"])
                filler = disk / "filler"
                fill(filler)
                for i in range(40):
                    r = await post_big(client, f"full-{i}", 20_000)
                    statuses.append(r.status_code)
                    if r.status_code == 200:  # fitted in a page already allocated
                        acked.add(r.json()["id"])
                    else:
                        assert r.status_code == 503, r.text
                        assert r.headers["retry-after"] and "Traceback" not in r.text
                assert 503 in statuses, statuses
                # health stays up; readiness may follow the store
                assert (await client.get("/healthz")).status_code == 200
                # space comes back: ingest resumes without a restart
                filler.unlink()

                async def resumed() -> bool:
                    r = await post_big(client, f"after-{len(statuses)}", 1000)
                    statuses.append(r.status_code)
                    if r.status_code == 200:
                        acked.add(r.json()["id"])
                    return r.status_code == 200

                await wait_for(resumed, 30, "ingest to resume once space is free")
        check, stored = integrity(db)
        assert check == "ok"
        assert acked <= stored, f"acknowledged but not stored: {sorted(acked - stored)[:5]}"
        assert not any(i.startswith("full") for i in stored - acked)


def _limit_file_size(limit: int) -> Any:
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a signal
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.slow
def test_sqlite_past_its_file_size_limit_is_503_and_the_database_survives(
    tmp_path: Path,
) -> None:
    """The portable stand-in for a full disk (no mount needed): the host runs with
    RLIMIT_FSIZE, so growing the database or its WAL past the limit fails with EFBIG, as
    writes do on a full disk."""
    db = tmp_path / "limited.db"
    acked: set[str] = set()
    statuses: list[int] = []
    with (
        app.served(
            tmp_path,
            database_url=f"sqlite:///{db}",
            env={"HOOKPOINT_NO_WORKER": "true", "HOOKPOINT_RETENTION_DAYS": "0"},
            preexec_fn=_limit_file_size(1024 * 1024),
        ) as host,
        httpx.Client(base_url=host.url, timeout=30) as client,
    ):
        for i in range(200):
            body = json.dumps(
                {
                    "triggerEvent": "BOOKING_CREATED",
                    "payload": {"uid": f"r{i}", "pad": "x" * 20_000},
                }
            ).encode()
            r = client.post("/webhooks/caldotcom", content=body, headers=app.cal_headers(body))
            statuses.append(r.status_code)
            if r.status_code == 200:
                acked.add(r.json()["id"])
            else:
                assert r.status_code == 503, r.text
                assert r.headers["retry-after"] and "Traceback" not in r.text
            if statuses[-5:] == [503] * 5:
                break
        assert 503 in statuses, f"the limit was never hit: {statuses}"
        assert acked, "nothing fitted before the limit"
        # the host is still up and answers, and small requests that fit are taken
        assert client.get("/healthz").status_code == 200
        assert host.alive()
    check, stored = integrity(db)
    assert check == "ok"
    assert acked <= stored, f"acknowledged but not stored: {sorted(acked - stored)[:5]}"


# -- jobs that hang or always raise ---------------------------------------------------------------


@contextlib.asynccontextmanager
async def worker_host(tmp_path: Path) -> AsyncIterator[tuple[HookpointServer, httpx.AsyncClient]]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'jobs.db'}", lease_seconds=5)
    server = HookpointServer(app.hp, settings, run_worker=True)
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(
            transport=transport, base_url="http://localhost", timeout=30
        ) as c:
            yield server, c


async def runs_by_job(client: httpx.AsyncClient, request_id: str) -> dict[str, dict[str, Any]]:
    detail = (await client.get(f"/api/requests/{request_id}")).json()
    return {run["job"]: run for run in detail["runs"]}


async def test_a_hanging_job_times_out_is_retried_then_failed_and_the_worker_goes_on(
    tmp_path: Path,
) -> None:
    async with worker_host(tmp_path) as (server, client):
        r = await client.post("/webhooks/open", json={"fault": "hang"})
        assert r.status_code == 200 and r.json()["runs"] == 2  # hang + open-any
        hung_id = r.json()["id"]

        async def hang_failed() -> bool:
            return bool((await runs_by_job(client, hung_id))["hang"]["status"] == "failed")

        await wait_for(hang_failed, 30, "the hanging run to fail")
        run = (await runs_by_job(client, hung_id))["hang"]
        detail = (await client.get(f"/api/runs/{run['id']}")).json()
        assert detail["attempt"] == 2 and detail["max_attempts"] == 2
        assert [a["status"] for a in detail["attempts"]] == ["failed", "failed"]
        assert all("TimeoutError" in (a["error"] or "") for a in detail["attempts"])
        assert "timeout" in (detail["last_error"] or "").lower()
        hung = [line for line in detail["logs"] if line["message"] == "about to hang"]
        assert [line["data"] for line in hung] == [{"attempt": 1}, {"attempt": 2}]
        # the other job of the same request, and the next request's, ran normally
        assert (await runs_by_job(client, hung_id))["open-any"]["status"] == "succeeded"
        r2 = await client.post("/webhooks/open", json={"after": "hang"})
        next_id = r2.json()["id"]

        async def next_ran() -> bool:
            return bool((await runs_by_job(client, next_id))["open-any"]["status"] == "succeeded")

        await wait_for(next_ran, 30, "the next job to run")
        assert server.worker is not None and server.worker.running
        assert server.worker.stats.timeouts == 2


async def test_a_job_that_always_raises_ends_failed_with_every_error_visible(
    tmp_path: Path,
) -> None:
    async with worker_host(tmp_path) as (_, client):
        r = await client.post("/webhooks/open", json={"fault": "raise"})
        request_id = r.json()["id"]

        async def failed() -> bool:
            return bool((await runs_by_job(client, request_id))["raise"]["status"] == "failed")

        await wait_for(failed, 30, "the raising run to fail")
        run = (await runs_by_job(client, request_id))["raise"]
        detail = (await client.get(f"/api/runs/{run['id']}")).json()
        assert detail["status"] == "failed" and detail["attempt"] == 3
        errors = [a["error"] for a in detail["attempts"]]
        assert len(errors) == 3
        for n, error in enumerate(errors, 1):
            assert error and f"RuntimeError: boom on attempt {n}" in error
        assert "boom on attempt 3" in detail["last_error"]
        listed = (await client.get("/api/runs", params={"status": "failed"})).json()["items"]
        assert [x["id"] for x in listed] == [run["id"]]


# -- clock skew against timestamped signatures ----------------------------------------------------

PLUGINS = load_plugins()
SKEW = 600.0


def _timestamped_sample(provider: str) -> Any:
    """A delivery sample of ``provider`` whose signature carries the time it was signed at
    (signed now it verifies; signed an hour ago it does not), or None."""
    info = PLUGINS.provider(provider)
    if "tolerance" not in getattr(info.settings_model, "model_fields", {}):
        return None
    now = time.time()
    for sample in info.samples:
        if sample.challenge:
            continue
        settings = {**sample.settings, "tolerance": 300}
        model = PLUGINS.settings_for(provider, settings)
        verdicts = []
        for at in (now, now - 3600):
            signed = sign_sample(PLUGINS, provider, sample, now=at, settings=settings)
            secret = sample.endpoint_secret
            verdicts.append(bool(PLUGINS.verify(provider, signed, model, [secret], now)))
        if verdicts == [True, False]:
            return sample
    return None


TIMESTAMPED = {
    name: sample
    for name in sorted(PLUGINS.providers)
    if (sample := _timestamped_sample(name)) is not None
}


def test_timestamped_providers_are_installed() -> None:
    # stripe, slack and standardwebhooks at least (providers whose sign hook stamps the time;
    # Linear's timestamp is inside the sample's body, so it cannot be re-signed at another time)
    assert {"stripe", "slack", "standardwebhooks"} <= set(TIMESTAMPED), sorted(TIMESTAMPED)


@pytest.mark.parametrize("provider", sorted(TIMESTAMPED))
async def test_clock_skew_of_ten_minutes_against_the_tolerance(
    tmp_path: Path, provider: str
) -> None:
    """A delivery signed 10 minutes in the past or the future: rejected (401) under a 5-minute
    tolerance, accepted under a 15-minute one; and accepted with no skew."""
    sample = TIMESTAMPED[provider]
    hp = Hookpoint(id="skew")
    for tolerance in (300, 900):
        hp.define_http_endpoint(
            id=f"t{tolerance}",
            source=provider,
            provider=provider,
            secrets=[sample.endpoint_secret],
            settings={**sample.settings, "tolerance": tolerance},
            dedupe_window=0,
        )
    server = HookpointServer(
        hp, Settings(database_url=f"sqlite:///{tmp_path / 'skew.db'}"), run_worker=False
    )
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:

            async def send(tolerance: int, skew: float) -> int:
                settings = {**sample.settings, "tolerance": tolerance}
                # signed for the URL it is sent to: some senders sign the URL (HubSpot)
                query = f"?{sample.path_query}" if sample.path_query else ""
                unsigned = request_from_sample(
                    sample, provider, url=f"http://localhost/webhooks/t{tolerance}{query}"
                )
                model = PLUGINS.settings_for(provider, settings)
                signed = PLUGINS.sign(provider, unsigned, model, sample.secret, time.time() + skew)
                assert signed is not None
                r = await client.request(
                    signed.method,
                    signed.url,
                    content=signed.body,
                    headers=list(signed.headers.items()),
                )
                return r.status_code

            results = {
                (tolerance, skew): await send(tolerance, skew)
                for tolerance in (300, 900)
                for skew in (-SKEW, 0.0, SKEW)
            }
    assert results == {
        (300, -SKEW): 401,
        (300, 0.0): 200,
        (300, SKEW): 401,
        (900, -SKEW): 200,
        (900, 0.0): 200,
        (900, SKEW): 200,
    }, results


def test_timestamp_tolerance_is_exact_at_ten_minutes_of_skew() -> None:
    """``check_timestamp`` at ±10 minutes, around the tolerance, to the second."""
    now = 1_800_000_000.0
    for skew in (-SKEW, SKEW):
        stamp = str(int(now + skew))
        for tolerance, accepted in ((SKEW - 1, False), (SKEW, True), (SKEW + 1, True)):
            reason = check_timestamp(stamp, now, tolerance)
            assert (reason is None) is accepted, (skew, tolerance, reason)
            if not accepted:
                expected = "timestamp too old" if skew < 0 else "timestamp in the future"
                assert reason == expected
        ms = str(int((now + skew) * 1000))
        assert check_timestamp(ms, now, SKEW - 1, unit="ms") is not None
        assert check_timestamp(ms, now, SKEW, unit="ms") is None
    # a future-only allowance: old stays rejected, the future is accepted
    assert check_timestamp(str(int(now + SKEW)), now, 300, future_tolerance=SKEW) is None
    assert check_timestamp(str(int(now - SKEW)), now, 300, future_tolerance=SKEW) is not None
    for junk in ("", "abc", "1e3", "-", "  ", "99999999999999999999999", "nan", "inf"):
        assert check_timestamp(junk, now, SKEW) is not None, junk
