"""Forwarding to destinations (``hp.forward``), end to end: a real hypercorn host with its
in-process worker delivers to real loopback destinations (``loopback_receiver``) that record
the exact bytes and answer as scripted.

What a user relies on: the destination gets the sender's body bytes and signature headers
unchanged (so it can verify them), without hop-by-hop headers and with ``X-Forwarded-*`` /
``X-Hookpoint-*``; 2xx is delivered; 408/425/429/5xx, timeouts and refused connections are
retried (``Retry-After`` honoured, capped by ``max_delay``), other statuses fail the run at once;
a dead run is visible and replayable; Hookpoint's own Standard Webhooks signature verifies with
the ``standardwebhooks`` library; credentials never show.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import email.utils
import hashlib
import hmac
import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypercorn.asyncio import serve

from hookpoint import ConfigError, Destination, Hookpoint, RetryPolicy
from hookpoint._engine import Worker
from hookpoint._forward import (
    default_destination_id,
    destination_settings,
    outgoing_headers,
    parse_retry_after,
)
from hookpoint._listen import relay_headers
from hookpoint._request import WebhookRequest
from hookpoint._runtime import Runtime
from hookpoint._secrets import mask_url
from hookpoint._serve import hypercorn_config
from hookpoint._server import HookpointServer
from hookpoint._settings import Settings
from hookpoint.store import NewRequest, RunRecord, Store, new_id

sys.path.insert(0, str(Path(__file__).resolve().parent))
try:
    import cal_samples
    from loopback_receiver import Received, Receiver, Reply, closed_port
finally:
    sys.path.pop(0)

CAL_SECRET = "cal-forward-secret"
WHSEC = "whsec_" + base64.b64encode(b"forwarding-signing-key-32-bytes!").decode()
FAST = {"max_attempts": 3, "initial_delay": 0.05, "factor": 1.0, "jitter": 0}

# A body whose bytes a re-serialisation would change: spacing, key order, non-ASCII, a newline.
CAL_BODY = (
    b'{"triggerEvent": "BOOKING_CREATED",  "createdAt":"2026-11-27T10:00:00.000Z",'
    b' "payload": {"uid": "fwd-1", "title": "Caf\xc3\xa9 \\u00e9", "n": 1.50}}\n'
)


def cal_app(to: str, **forward: Any) -> tuple[Hookpoint, Destination]:
    hp = Hookpoint(id="fwd")
    cal = hp.define_http_endpoint(
        id="caldotcom", source="cal.com", provider="caldotcom", secrets=[CAL_SECRET]
    )
    forward.setdefault("retry", FAST)
    return hp, hp.forward(cal, to, **forward)


def plain_app(to: str, **forward: Any) -> tuple[Hookpoint, Destination]:
    hp = Hookpoint(id="fwd")
    hp.define_http_endpoint(id="plain", source="test", verify="none", dedupe=False)
    forward.setdefault("retry", FAST)
    return hp, hp.forward("plain", to, **forward)


@dataclass
class Host:
    server: HookpointServer
    client: httpx.AsyncClient
    url: str

    @property
    def store(self) -> Store:
        return self.server.runtime.store

    async def post(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> str:
        r = await self.client.post(path, content=body, headers=headers or {})
        assert r.status_code == 200, r.text
        return str(r.json()["id"])

    async def runs_of(self, request_id: str) -> list[dict[str, Any]]:
        detail = (await self.client.get(f"/api/requests/{request_id}")).json()
        return list(detail["runs"])

    async def final_run(self, request_id: str, timeout: float = 20.0) -> dict[str, Any]:
        """The request's one run once it is final, as ``GET /api/runs/<id>`` shows it."""
        deadline = time.monotonic() + timeout
        while True:
            runs = await self.runs_of(request_id)
            if runs and runs[0]["status"] in ("succeeded", "failed", "cancelled"):
                return dict((await self.client.get(f"/api/runs/{runs[0]['id']}")).json())
            assert time.monotonic() < deadline, runs
            await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def hosted(hp: Hookpoint, tmp_path: Path, **settings: Any) -> AsyncIterator[Host]:
    """``hp`` served by hypercorn on a loopback port, in this event loop, with its worker."""
    port = closed_port()
    options: dict[str, Any] = {
        "database_url": f"sqlite:///{tmp_path / 'fwd.db'}",
        "port": port,
        "lease_seconds": 5,
        "retention_days": 0,
    }
    options.update(settings)
    config = Settings(**options)
    server = HookpointServer(hp, config)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(server, hypercorn_config(config), shutdown_trigger=stop.wait))  # type: ignore[arg-type]
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            deadline = time.monotonic() + 20
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get("/readyz")).status_code == 200:
                        break
                assert not task.done(), task
                assert time.monotonic() < deadline, "host never became ready"
                await asyncio.sleep(0.05)
            yield Host(server, client, base)
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


def cal_signature(body: bytes) -> str:
    return hmac.new(CAL_SECRET.encode(), body, hashlib.sha256).hexdigest()


# -- what the destination receives -----------------------------------------------------------------


async def test_delivery_is_the_senders_bytes_with_forwarding_headers(tmp_path: Path) -> None:
    async with Receiver() as dest:
        hp, fwd = cal_app(
            dest.url + "/hooks/cal?src=hookpoint",
            filter={"body": {"triggerEvent": ["BOOKING_CREATED"]}},
            headers={"X-Team": "payments", "User-Agent": "hookpoint-forwarder"},
        )
        async with hosted(hp, tmp_path) as host:
            sent = {
                "Content-Type": "application/json; charset=utf-8",
                "X-Cal-Signature-256": cal_signature(CAL_BODY),
                "X-Cal-Webhook-Version": "2021-10-20",
                "Connection": "keep-alive, X-Per-Hop",
                "X-Per-Hop": "dropped because Connection lists it",
                "Keep-Alive": "timeout=5",
                "TE": "trailers",
                "Proxy-Authorization": "Basic cHJveHk6c2VjcmV0",
                "X-Forwarded-For": "198.51.100.7",
                "X-Custom": "kept",
            }
            request_id = await host.post("/webhooks/caldotcom", CAL_BODY, sent)
            run = await host.final_run(request_id)
            assert run["status"] == "succeeded", run
            # A request the filter does not match never reaches the destination.
            other = cal_samples.cal_body("fwd-2", trigger="BOOKING_CANCELLED")
            other_id = await host.post(
                "/webhooks/caldotcom", other, cal_samples.cal_headers(other, CAL_SECRET)
            )
            await host.server.runtime.worker.run_until_idle(10)  # type: ignore[union-attr]
            assert await host.runs_of(other_id) == []
    [got] = dest.received
    assert got.method == "POST" and got.target == "/hooks/cal?src=hookpoint"
    assert got.body == CAL_BODY  # the very bytes
    # The destination can verify cal.com's signature itself.
    assert got.header("X-Cal-Signature-256") == cal_signature(got.body)
    assert got.header("content-type") == "application/json; charset=utf-8"
    assert got.header("x-cal-webhook-version") == "2021-10-20"
    assert got.header("x-custom") == "kept"
    for hop in ("x-per-hop", "keep-alive", "te", "proxy-authorization", "transfer-encoding"):
        assert got.header(hop) is None, hop
    assert got.all("host") == [f"127.0.0.1:{dest.port}"]
    assert got.all("content-length") == [str(len(CAL_BODY))]
    # What Hookpoint established replaces what the sender claimed.
    assert got.all("x-forwarded-for") == ["127.0.0.1"]
    assert got.header("x-forwarded-proto") == "http"
    assert got.header("x-forwarded-host") == host.url.removeprefix("http://")
    assert got.header("x-hookpoint-request-id") == request_id
    assert got.header("x-hookpoint-endpoint") == "caldotcom"
    assert got.header("x-team") == "payments"
    assert got.all("user-agent") == ["hookpoint-forwarder"]  # headers= overrides
    # The attempt records the response; the run's output is the status.
    [attempt] = run["attempts"]
    assert attempt["detail"]["status"] == 200
    assert attempt["detail"]["response_body"] == "ok"
    assert attempt["detail"]["destination"] == dest.url + "/hooks/cal?src=hookpoint"
    assert run["output"]["status"] == 200
    assert any("→ 200" in line["message"] for line in run["logs"])
    assert fwd.id == default_destination_id("caldotcom", dest.url + "/hooks/cal?src=hookpoint")


async def test_standard_webhooks_signature_verifies_and_keeps_its_id_on_retries(
    tmp_path: Path,
) -> None:
    from standardwebhooks.webhooks import Webhook

    async with Receiver() as dest:
        dest.script(Reply(503, body=b"warming up"))
        hp, _ = plain_app(dest.url, sign="standardwebhooks", secret=WHSEC)
        async with hosted(hp, tmp_path) as host:
            body = b'{"type": "invoice.paid", "data": {"id": 7}}'
            # a sender's own Standard Webhooks headers are replaced by Hookpoint's
            request_id = await host.post(
                "/webhooks/plain", body, {"webhook-id": "msg_sender", "webhook-signature": "x"}
            )
            run = await host.final_run(request_id)
    assert run["status"] == "succeeded" and run["attempt"] == 2, run
    first, second = dest.received
    verifier = Webhook(WHSEC)
    for got in (first, second):
        assert got.body == body
        assert got.all("webhook-id") == [f"msg_{run['id']}"]
        verifier.verify(got.body, got.header_map())  # raises when it does not verify
    with pytest.raises(Exception, match=r"(?i)signature"):
        tampered = {**second.header_map(), "webhook-id": "msg_other"}
        verifier.verify(second.body, tampered)
    assert [a["detail"]["status"] for a in run["attempts"]] == [503, 200]
    assert run["attempts"][0]["detail"]["response_body"] == "warming up"


# -- retries -------------------------------------------------------------------------------------


async def test_retry_after_in_seconds_and_as_a_date_is_honoured(tmp_path: Path) -> None:
    def then_a_date(got: Received) -> Reply:
        if len(dest.received) > 2:
            return Reply(200)
        # an HTTP date has whole seconds: 3 s from now is 2-3 s from now
        http_date = email.utils.formatdate(time.time() + 3, usegmt=True)
        return Reply(429, headers=(("Retry-After", http_date),))

    async with Receiver(answer=then_a_date) as dest:
        dest.script(Reply(503, headers=(("Retry-After", "1"),)))
        # Without Retry-After the backoff would be a minute.
        retry = {"max_attempts": 4, "initial_delay": 60, "max_delay": 120, "jitter": 0}
        hp, _ = plain_app(dest.url, retry=retry)
        async with hosted(hp, tmp_path) as host:
            run = await host.final_run(await host.post("/webhooks/plain", b"{}"), timeout=30)
    assert run["status"] == "succeeded", run
    first, second, third = (r.at for r in dest.received)
    assert 0.9 <= second - first < 10
    assert 1.9 <= third - second < 10
    details = [a["detail"] for a in run["attempts"]]
    assert details[0]["retry_after"] == 1
    assert 2 <= details[1]["retry_after"] <= 3
    assert "Retry-After" in run["attempts"][0]["error"]


async def test_retry_after_is_capped_and_bounded_by_max_attempts(tmp_path: Path) -> None:
    async with Receiver() as dest:
        dest.default = Reply(503, headers=(("Retry-After", "3600"),), body=b"down")
        retry = RetryPolicy(max_attempts=2, initial_delay=60, max_delay=0.3, jitter=0)
        hp, _ = plain_app(dest.url, retry=retry)
        async with hosted(hp, tmp_path) as host:
            run = await host.final_run(await host.post("/webhooks/plain", b"{}"))
    assert run["status"] == "failed" and run["attempt"] == 2, run
    assert len(dest.received) == 2
    assert dest.received[1].at - dest.received[0].at < 10  # not an hour


async def test_a_4xx_or_a_redirect_fails_at_once(tmp_path: Path) -> None:
    async with Receiver() as dest:
        dest.script(
            Reply(400, body=b'{"error": "unknown event"}'),
            Reply(302, headers=(("Location", "/elsewhere"),)),
        )
        hp, _ = plain_app(dest.url)
        async with hosted(hp, tmp_path) as host:
            bad = await host.final_run(await host.post("/webhooks/plain", b'{"n": 1}'))
            moved = await host.final_run(await host.post("/webhooks/plain", b'{"n": 2}'))
    assert bad["status"] == "failed" and bad["attempt"] == 1, bad
    assert "HTTP 400" in bad["last_error"]
    assert bad["attempts"][0]["detail"]["response_body"] == '{"error": "unknown event"}'
    assert moved["status"] == "failed" and moved["attempt"] == 1, moved
    assert "redirects are not followed" in moved["last_error"]
    assert [r.target for r in dest.received] == ["/", "/"]  # /elsewhere never asked


async def test_retry_on_picks_the_retried_statuses(tmp_path: Path) -> None:
    async with Receiver() as dest:
        dest.script(Reply(409), Reply(200), Reply(503))
        hp, _ = plain_app(dest.url, retry_on=[409])
        async with hosted(hp, tmp_path) as host:
            retried = await host.final_run(await host.post("/webhooks/plain", b"1"))
            not_retried = await host.final_run(await host.post("/webhooks/plain", b"2"))
    assert retried["status"] == "succeeded" and retried["attempt"] == 2
    assert not_retried["status"] == "failed" and not_retried["attempt"] == 1


async def test_a_slow_destination_times_out_and_is_retried(tmp_path: Path) -> None:
    async with Receiver() as dest:
        dest.script(Reply(200, delay=3))
        hp, _ = plain_app(dest.url, timeout=0.3)
        async with hosted(hp, tmp_path) as host:
            run = await host.final_run(await host.post("/webhooks/plain", b"{}"))
    assert run["status"] == "succeeded" and run["attempt"] == 2, run
    first = run["attempts"][0]
    assert first["status"] == "failed" and "timeout" in first["error"]
    assert "no response within 0.3s" in first["detail"]["error"]


async def test_a_destination_that_is_down_dead_letters_and_replays(tmp_path: Path) -> None:
    dest = Receiver(port=closed_port())
    hp, _ = plain_app(dest.url)
    async with hosted(hp, tmp_path) as host:
        run = await host.final_run(await host.post("/webhooks/plain", b'{"late": true}'))
        assert run["status"] == "failed" and run["attempt"] == 3, run
        assert all("connect" in a["error"] for a in run["attempts"])
        async with dest:  # the service is back: an operator replays the dead run
            r = await host.client.post(f"/api/runs/{run['id']}/replay")
            assert r.status_code == 202
            replayed = r.json()["run_id"]
            deadline = time.monotonic() + 15
            while (await host.client.get(f"/api/runs/{replayed}")).json()["status"] != "succeeded":
                assert time.monotonic() < deadline
                await asyncio.sleep(0.05)
    [got] = dest.received
    assert got.body == b'{"late": true}'


# -- limits across workers -----------------------------------------------------------------------


async def _deliver_with_two_workers(
    database_url: str, dest: Receiver, count: int, **forward: Any
) -> list[RunRecord]:
    """``count`` requests queued, then delivered by two workers, each with its own store
    connection(s), as two processes would."""
    hp, fwd = plain_app(dest.url, **forward)
    settings = Settings(database_url=database_url, lease_seconds=5, retention_days=0)
    runtimes = [Runtime(hp, settings) for _ in range(2)]
    for rt in runtimes:
        await rt.open()
    try:
        endpoint = hp.endpoints["plain"]
        ids = []
        for n in range(count):
            request = WebhookRequest(url="http://h/webhooks/plain", body=str(n).encode())
            result = await runtimes[0].store.ingest(
                NewRequest(
                    id=new_id(),
                    endpoint_id="plain",
                    method="POST",
                    url=request.url,
                    headers=(),
                    body=request.body,
                    received_at=time.time(),
                    runs=runtimes[0].runs_for(endpoint, request),
                )
            )
            ids += result.run_ids
        workers = [
            Worker(
                rt.store, hp.jobs, http=rt.http, concurrency=8, lease_seconds=5, poll_interval=0.05
            )
            for rt in runtimes
        ]
        await asyncio.gather(*(w.run_until_idle(60) for w in workers))
        runs = [await runtimes[0].store.get_run(i) for i in ids]
        assert fwd.global_concurrency == forward.get("concurrency")
        return [r for r in runs if r is not None]
    finally:
        for rt in runtimes:
            await rt.close()


def assert_paced(dest: Receiver, per_second: float) -> None:
    """Starts are spaced 1/rate apart whichever worker makes them, so ``n`` deliveries span
    at least (n - 1)/rate (less a little for the jitter of sending; pacing per worker alone
    would span half that)."""
    times = sorted(r.at for r in dest.received)
    assert times[-1] - times[0] >= (len(times) - 1) / per_second - 0.15, times
    for a, b in itertools.pairwise(times):  # nowhere a burst: no two at once
        assert b - a >= 0.25 / per_second, times


@pytest.mark.parametrize("limit", [1, 2])
async def test_concurrency_holds_across_two_workers_on_sqlite(tmp_path: Path, limit: int) -> None:
    async with Receiver(default=Reply(200, delay=0.15)) as dest:
        runs = await _deliver_with_two_workers(
            f"sqlite:///{tmp_path / 'c.db'}", dest, 8, concurrency=limit
        )
    assert [r.status for r in runs] == ["succeeded"] * 8
    assert dest.max_in_flight == limit  # never more, and the limit is reached


@pytest.mark.postgres
async def test_concurrency_holds_across_two_workers_on_postgres(pg_url: str) -> None:
    async with Receiver(default=Reply(200, delay=0.15)) as dest:
        runs = await _deliver_with_two_workers(pg_url, dest, 8, concurrency=1)
    assert [r.status for r in runs] == ["succeeded"] * 8
    assert dest.max_in_flight == 1
    async with Receiver(default=Reply(200, delay=0.15)) as dest:  # the control: no limit
        await _deliver_with_two_workers(pg_url, dest, 8)
    assert dest.max_in_flight > 1


@pytest.mark.postgres
async def test_rate_limit_paces_two_workers_on_postgres(pg_url: str) -> None:
    async with Receiver() as dest:
        runs = await _deliver_with_two_workers(pg_url, dest, 6, rate_limit=5)
    assert [r.status for r in runs] == ["succeeded"] * 6
    assert_paced(dest, per_second=5)


async def test_rate_limit_paces_on_sqlite(tmp_path: Path) -> None:
    async with Receiver() as dest:
        await _deliver_with_two_workers(f"sqlite:///{tmp_path / 'r.db'}", dest, 5, rate_limit=10)
    assert_paced(dest, per_second=10)


# -- secrets ---------------------------------------------------------------------------------------


async def test_destination_credentials_are_masked_everywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FWD_API_KEY", "key-from-the-environment-42")
    async with Receiver() as dest:
        # The destination echoes what it got, as some do in their error bodies.
        dest.answer = lambda got: Reply(
            503,
            headers=(("X-Api-Key", got.header("x-api-key") or ""),),
            body=got.body + b" " + (got.header("x-api-key") or "").encode(),
        )
        userinfo_url = (
            dest.url.replace("://", "://svc:pa55-url-secret@") + "/in?token=tok-q-secret-9"
        )
        hp, fwd = plain_app(
            userinfo_url,
            headers={"X-Api-Key": {"env": "FWD_API_KEY"}},
            retry={"max_attempts": 1},
        )
        app_file = tmp_path / "masked_app.py"
        app_file.write_text(
            "from hookpoint import Hookpoint\n"
            "hp = Hookpoint(id='m')\n"
            "hp.define_http_endpoint(id='plain', source='t', verify='none')\n"
            f"hp.forward('plain', {userinfo_url!r},\n"
            "           headers={'X-Api-Key': {'env': 'FWD_API_KEY'}})\n"
        )
        async with hosted(hp, tmp_path) as host:
            run = await host.final_run(await host.post("/webhooks/plain", b"hello"))
            endpoints = (await host.client.get("/api/endpoints")).text
            page = (await host.client.get(f"/dashboard/runs/{run['id']}")).text
            endpoint_page = (await host.client.get("/dashboard/endpoints/plain")).text
    secrets = ("pa55-url-secret", "tok-q-secret-9", "key-from-the-environment-42")
    [got] = dest.received
    # The real values went to the destination ...
    assert got.header("x-api-key") == "key-from-the-environment-42"
    assert (
        got.header("authorization") == "Basic " + base64.b64encode(b"svc:pa55-url-secret").decode()
    )
    assert got.target == "/in?token=tok-q-secret-9"
    # ... and are shown nowhere.
    shown = json.dumps(run) + endpoints + page + endpoint_page + fwd.url + repr(fwd)
    for secret in secrets:
        assert secret not in shown, secret
    detail = run["attempts"][0]["detail"]
    assert detail["status"] == 503 and detail["response_body"].startswith("hello ")
    assert "svc:********@" in endpoints and "pa55" not in fwd.url
    assert "→ <strong>503</strong>" in page  # the dashboard's run page shows the attempt
    assert "svc:********@" in endpoint_page and "Forwards to" in endpoint_page
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "FWD_API_KEY": "key-from-the-environment-42"}
    cli = subprocess.run(
        [sys.executable, "-m", "hookpoint.cli", "endpoints", "masked_app:hp", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    )
    listed = json.loads(cli.stdout)[0]["destinations"][0]
    assert listed["url"] == mask_url(userinfo_url) and "svc:********@" in listed["url"]
    for secret in secrets:
        assert secret not in cli.stdout + cli.stderr


# -- definitions -----------------------------------------------------------------------------------


def test_forward_checks_its_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FWD_MISSING", raising=False)
    hp = Hookpoint(id="x")
    ep = hp.define_http_endpoint(id="a", source="s", verify="none")
    bad: list[tuple[dict[str, Any], str]] = [
        ({"to": "ftp://h/x"}, "http:// or https://"),
        ({"to": "http:///nohost"}, "with a host"),
        ({"to": "http://h/", "sign": "hmac", "secret": "x"}, "not a signing scheme"),
        ({"to": "http://h/", "sign": "standardwebhooks"}, "needs secret="),
        ({"to": "http://h/", "secret": WHSEC}, "only used with sign="),
        ({"to": "http://h/", "headers": {"X-K": {"env": "FWD_MISSING"}}}, "FWD_MISSING"),
        (
            {"to": "http://h/", "sign": "standardwebhooks", "secret": {"env": "FWD_MISSING"}},
            "FWD_MISSING",
        ),
        ({"to": "http://h/", "headers": {"Connection": "close"}}, "set by the connection"),
        ({"to": "http://h/", "headers": {"X-A": "a\r\nX-B: b"}}, "line break"),
        ({"to": "http://h/", "retry_on": [200]}, "success"),
        ({"to": "http://h/", "retry_on": "5xx"}, "list of status codes"),
        ({"to": "http://h/", "retry_on": ["6xx"]}, "neither"),
        ({"to": "http://h/", "concurrency": 0}, "concurrency"),
        ({"to": "http://h/", "rate_limit": -1}, "rate_limit"),
        ({"to": "http://h/", "timeout": 0}, "timeout"),
        ({"to": "http://h/", "retry": {"max_attempts": 0}}, "invalid retry policy"),
    ]
    for kwargs, message in bad:
        with pytest.raises(ConfigError, match=message):
            hp.forward(ep, **kwargs)
    with pytest.raises(ConfigError, match="no endpoint 'nope'"):
        hp.forward("nope", "http://h/")
    # Private and loopback destinations are allowed (a service next to Hookpoint).
    first = hp.forward(ep, "http://10.0.0.5:3000/hooks")
    assert hp.forward("a", "http://127.0.0.1/x").id != first.id
    with pytest.raises(ConfigError, match="pass id="):
        hp.forward(ep, "http://10.0.0.5:3000/hooks")
    # The default id does not depend on definition order or a rotated credential.
    again = Hookpoint(id="y")
    again.define_http_endpoint(id="a", source="s", verify="none")
    again.forward("a", "http://127.0.0.1/x")
    assert again.forward("a", "http://10.0.0.5:3000/hooks").id == first.id
    assert default_destination_id("a", "https://u:one@h/p?token=1") == default_destination_id(
        "a", "https://u:two@h/p?token=2"
    )
    assert hp.jobs[first.id] is first and isinstance(first, Destination)


def test_outgoing_headers_drop_hop_by_hop_and_add_ours() -> None:
    settings = destination_settings(
        "http://d/",
        headers={"X-Extra": "1", "x-custom": "replaced"},
        sign=None,
        secret=None,
        timeout=5,
        retry_on=None,
        concurrency=None,
        rate_limit=None,
    )
    request = WebhookRequest(
        url="https://hooks.example.com:8443/webhooks/a?x=1",
        client="203.0.113.4",
        headers=[
            ("Host", "hooks.example.com:8443"),
            ("Content-Length", "2"),
            ("Connection", "Upgrade, X-Listed"),
            ("X-Listed", "hop"),
            ("Upgrade", "websocket"),
            ("Keep-Alive", "timeout=5"),
            ("TE", "trailers"),
            ("Trailer", "X-Sum"),
            ("Transfer-Encoding", "chunked"),
            ("Proxy-Connection", "keep-alive"),
            ("Proxy-Authorization", "Basic x"),
            ("Expect", "100-continue"),
            ("X-Custom", "sender"),
            ("X-Repeat", "a"),
            ("X-Repeat", "b"),
            ("X-Forwarded-Host", "spoofed"),
        ],
        body=b"{}",
    )
    out = outgoing_headers(request, settings, request_id="req1", endpoint_id="a")
    test = outgoing_headers(request, settings, request_id="req1", endpoint_id="a", test=True)
    assert test == [*out[:7], ("X-Hookpoint-Test", "true"), *out[7:]]
    assert out == [
        ("X-Repeat", "a"),
        ("X-Repeat", "b"),
        ("X-Forwarded-For", "203.0.113.4"),
        ("X-Forwarded-Proto", "https"),
        ("X-Forwarded-Host", "hooks.example.com:8443"),
        ("X-Hookpoint-Request-Id", "req1"),
        ("X-Hookpoint-Endpoint", "a"),
        ("X-Extra", "1"),
        ("x-custom", "replaced"),
    ]
    # hookpoint listen relays the same headers of the sender (one rule: resendable_headers)
    relayed = [(k.decode(), v.decode()) for k, v in relay_headers(request.headers.items())]
    assert relayed == [
        ("X-Custom", "sender"),
        ("X-Repeat", "a"),
        ("X-Repeat", "b"),
        ("X-Forwarded-Host", "spoofed"),
    ]


def test_retry_after_forms() -> None:
    now = 1_800_000_000.0
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after(" 0 ", now) == 0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(date, now) == pytest.approx(30, abs=1)
    assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now) == 0
    for junk in (None, "", "soon", "-5", "1.5e3"):
        assert parse_retry_after(junk, now) is None


# -- at least once across a crash ----------------------------------------------------------------


@pytest.mark.slow
async def test_a_killed_forwarding_host_delivers_every_accepted_request(tmp_path: Path) -> None:
    """``hookpoint serve`` with its worker is SIGKILLed while deliveries are in flight; after a
    restart on the same store, every request it acknowledged reaches the destination at least
    once."""
    import signal

    app_file = tmp_path / "forward_host_app.py"
    app_file.write_text(
        "import os\n"
        "from hookpoint import Hookpoint\n"
        "hp = Hookpoint(id='killed')\n"
        "ep = hp.define_http_endpoint(id='caldotcom', source='cal.com', provider='caldotcom',\n"
        f"                              secrets=[{CAL_SECRET!r}], dedupe_window=0)\n"
        "hp.forward(ep, os.environ['FORWARD_TO'], retry={'max_attempts': 20, 'initial_delay': 0.1,"
        " 'max_delay': 0.5})\n"
    )
    db = f"sqlite:///{tmp_path / 'killed.db'}"
    count = 30
    async with Receiver(default=Reply(200, delay=0.3)) as dest:
        env = {
            "PYTHONPATH": os.pathsep.join([str(tmp_path), str(Path(__file__).resolve().parent)]),
            "FORWARD_TO": dest.url + "/in",
            "HOOKPOINT_LEASE_SECONDS": "1.5",
        }
        acked: dict[str, str] = {}
        cm = _served_app(tmp_path, "forward_host_app:hp", db, env)
        host = cm.__enter__()
        try:
            async with httpx.AsyncClient(base_url=host.url, timeout=10) as client:
                for n in range(count):
                    body = cal_samples.cal_body(f"kill-{n}")
                    r = await client.post(
                        "/webhooks/caldotcom",
                        content=body,
                        headers=cal_samples.cal_headers(body, CAL_SECRET),
                    )
                    assert r.status_code == 200, r.text
                    acked[f"kill-{n}"] = r.json()["id"]
            await dest.wait_for(3, timeout=30)
            os.killpg(host.pid, signal.SIGKILL)
            host.proc.wait(10)
        finally:
            cm.__exit__(None, None, None)
        delivered_before = len(dest.received)
        assert delivered_before < count  # the kill happened mid-way
        with _served_app(tmp_path, "forward_host_app:hp", db, env):
            deadline = time.monotonic() + 90
            while True:
                uids = {json.loads(r.body)["payload"]["uid"] for r in dest.received}
                if uids >= set(acked):
                    break
                assert time.monotonic() < deadline, sorted(set(acked) - uids)
                await asyncio.sleep(0.2)
    ids = {r.header("x-hookpoint-request-id") for r in dest.received}
    assert ids >= set(acked.values())


def _served_app(tmp: Path, target: str, db: str, env: dict[str, str]) -> Any:
    """``hookpoint serve target`` in a subprocess, like ``hostile_app.served`` (whose app it
    does not serve)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        import hostile_app
    finally:
        sys.path.pop(0)
    return hostile_app.served(tmp, database_url=db, env=env, app=target)


def test_env_values_come_from_the_apps_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """``Hookpoint(env=...)`` is where ``{"env": NAME}`` values are read, as for the plugin
    controls (and ``Hookpoint.from_toml(path, env=...)``), not the process's environment."""
    monkeypatch.delenv("FWD_APP_TOKEN", raising=False)
    hp = Hookpoint(id="x", env={"FWD_APP_TOKEN": "from-the-app-env"})
    ep = hp.define_http_endpoint(id="a", source="s", verify="none")
    dest = hp.forward(ep, "http://h/", headers={"X-Token": {"env": "FWD_APP_TOKEN"}})
    assert ("X-Token", "from-the-app-env") in dest.settings.headers
    other = Hookpoint(id="y")  # the process's environment, which lacks it
    other.define_http_endpoint(id="a", source="s", verify="none")
    with pytest.raises(ConfigError, match="FWD_APP_TOKEN"):
        other.forward("a", "http://h/", headers={"X-Token": {"env": "FWD_APP_TOKEN"}})
