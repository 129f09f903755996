"""The host end to end, in-process: the request lifecycle, the API, health and metrics."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hookpoint import (
    ConfigError,
    Hookpoint,
    ProviderConfigError,
    RespondWith,
    Response,
    Verification,
    WebhookRequest,
    verify_request_signature,
)
from hookpoint._server import HookpointServer
from hookpoint._settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
try:
    import cal_samples
finally:
    sys.path.pop(0)

CAL_SECRET = "cal-secret"
WA_SECRET = "wa-app-secret"
WA_TOKEN = "wa-verify-token"


def cal_headers(body: bytes, secret: str = CAL_SECRET) -> dict[str, str]:
    return cal_samples.cal_headers(body, secret)


def build_app(log: list[Any]) -> Hookpoint:
    hp = Hookpoint(id="test")
    cal = hp.define_http_endpoint(
        id="caldotcom",
        source="cal.com",
        icon="caldotcom",
        provider="caldotcom",
        secrets=[CAL_SECRET],
    )

    @hp.job(
        id="cancelled",
        name="Cancelled",
        version="1.0.0",
        trigger=cal.on_request(filter={"body": {"triggerEvent": ["BOOKING_CANCELLED"]}}),
        retry={"max_attempts": 2, "initial_delay": 0.05},
    )
    async def cancelled(request: WebhookRequest, io: Any, ctx: Any) -> dict[str, Any]:
        body = await request.json()
        await io.logger.info("Body", body)
        log.append(("cancelled", ctx.event_type, body["payload"]["uid"]))
        return {"uid": body["payload"]["uid"]}

    wa = hp.define_http_endpoint(
        id="whatsapp",
        source="whatsapp.com",
        provider="whatsapp",
        secrets=[WA_SECRET],
        settings={"verify_token": WA_TOKEN},
    )

    @hp.job(
        id="wa-messages",
        name="WA",
        version="1.0.0",
        trigger=wa.on_request(filter={"event": {"type": ["messages"]}}),
    )
    def wa_messages(request: WebhookRequest, io: Any, ctx: Any) -> None:  # a sync job
        log.append(("wa", ctx.event_id))

    seed = hp.define_http_endpoint(
        id="seed-wa",
        source="whatsapp.com",
        verify=lambda request: verify_request_signature(
            request, header_name="x-hub-signature-256", secret=WA_SECRET, algorithm="sha256"
        ),
        respond_with=RespondWith(
            skip_triggering_runs=True,
            filter={"method": ["GET"], "query": {"hub.mode": [{"$startsWith": "sub"}]}},
            handler=lambda request, verify: (
                Response("Unauthorized", status=401)
                if request.query.get("hub.verify_token") != WA_TOKEN
                else Response(request.query.get("hub.challenge") or "OK")
            ),
        ),
    )

    @hp.job(id="seed-job", name="seed", version="1.1.0", trigger=seed.on_request())
    async def seed_job(request: WebhookRequest, io: Any, ctx: Any) -> None:
        log.append(("seed", await request.json()))

    plain = hp.define_http_endpoint(id="plain", source="x", verify="none", methods=["POST", "PUT"])

    @hp.job(id="plain-post", name="plain", trigger=plain.on_request(filter={"method": ["POST"]}))
    async def plain_post(request: WebhookRequest, io: Any, ctx: Any) -> None:
        log.append(("plain", request.text()))

    hp.define_http_endpoint(id="off", source="x", verify="none", enabled=False)
    return hp


@pytest.fixture
async def host(
    tmp_path: Path,
) -> AsyncIterator[tuple[HookpointServer, httpx.AsyncClient, list[Any]]]:
    log: list[Any] = []
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'hp.db'}", max_body_size=4096, lease_seconds=5
    )
    server = HookpointServer(build_app(log), settings)
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            yield server, client, log


async def wait_for(predicate: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


async def runs_of(client: httpx.AsyncClient, request_id: str) -> list[dict[str, Any]]:
    detail = (await client.get(f"/api/requests/{request_id}")).json()
    return list(detail["runs"])


# -- definition-time errors -----------------------------------------------------------------------


def test_an_endpoint_needs_exactly_one_way_to_verify() -> None:
    hp = Hookpoint(id="x")
    with pytest.raises(ConfigError, match="no way to verify"):
        hp.define_http_endpoint(id="a", source="s")
    with pytest.raises(ConfigError, match="either provider= or verify="):
        hp.define_http_endpoint(
            id="b", source="s", provider="caldotcom", secrets=["x"], verify=lambda r: True
        )
    with pytest.raises(ConfigError, match="callable or the string"):
        hp.define_http_endpoint(id="c", source="s", verify="nope")  # type: ignore[arg-type]
    with pytest.raises(ProviderConfigError, match=r"unknown provider 'nope'.*caldotcom"):
        hp.define_http_endpoint(id="d", source="s", provider="nope", secrets=["x"])
    with pytest.raises(ProviderConfigError, match="invalid settings"):
        hp.define_http_endpoint(
            id="e", source="s", provider="whatsapp", secrets=["x"], settings={"verify_tokn": "x"}
        )
    with pytest.raises(ConfigError, match="needs at least one secret"):
        hp.define_http_endpoint(id="f", source="s", provider="caldotcom")
    with pytest.raises(ConfigError, match="invalid"):
        hp.define_http_endpoint(id="../etc", source="s", verify="none")


def test_bad_filters_and_jobs_fail_at_definition() -> None:
    from hookpoint import FilterError

    hp = Hookpoint(id="x")
    ep = hp.define_http_endpoint(id="a", source="s", verify="none")
    with pytest.raises(FilterError, match=r"body\.n"):
        ep.on_request(filter={"body": {"n": ["a", 1]}})
    with pytest.raises(FilterError):
        ep.on_request(filter={"bogus": {"x": ["y"]}})
    with pytest.raises(ConfigError, match=r"\(request, io, ctx\)"):
        hp.define_job(id="j", trigger=ep.on_request(), run=lambda: None)
    with pytest.raises(ConfigError, match="retry"):
        hp.define_job(
            id="k", trigger=ep.on_request(), run=lambda r, i, c: None, retry={"max_attempts": 0}
        )


# -- the request lifecycle ------------------------------------------------------------------------


async def test_signed_caldotcom_request_is_stored_and_its_job_runs(host: Any) -> None:
    _, client, log = host
    body = cal_samples.cal_body(trigger="BOOKING_CANCELLED")
    r = await client.post("/webhooks/caldotcom", content=body, headers=cal_headers(body))
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["duplicate"] is False and data["runs"] == 1

    async def done() -> bool:
        runs = await runs_of(client, data["id"])
        return bool(runs) and runs[0]["status"] == "succeeded"

    await wait_for(done)
    run = (await runs_of(client, data["id"]))[0]
    detail = (await client.get(f"/api/runs/{run['id']}")).json()
    assert detail["output"] == {"uid": "uid-1"}
    assert detail["logs"][0]["message"] == "Body"
    assert detail["logs"][0]["data"]["triggerEvent"] == "BOOKING_CANCELLED"
    assert log == [("cancelled", "BOOKING_CANCELLED", "uid-1")]


async def test_non_matching_event_is_stored_without_runs(host: Any) -> None:
    _, client, _ = host
    body = cal_samples.cal_body(trigger="BOOKING_CREATED")
    r = await client.post("/webhooks/caldotcom", content=body, headers=cal_headers(body))
    assert r.status_code == 200 and r.json()["runs"] == 0


async def test_tampered_and_unsigned_requests_get_401_and_are_recorded(host: Any) -> None:
    _, client, _ = host
    body = cal_samples.cal_body(trigger="BOOKING_CANCELLED")
    headers = cal_headers(body)
    r = await client.post("/webhooks/caldotcom", content=body + b" ", headers=headers)
    assert r.status_code == 401
    assert CAL_SECRET not in r.text and "Traceback" not in r.text
    r2 = await client.post(
        "/webhooks/caldotcom",
        content=body,
        headers={**headers, "X-Cal-Signature-256": "no-secret-provided"},
    )
    assert r2.status_code == 401
    rejected = (await client.get("/api/requests", params={"status": "rejected"})).json()["items"]
    assert len(rejected) == 2 and all(x["reason"] for x in rejected)


async def test_duplicates_are_acknowledged_without_new_runs(host: Any) -> None:
    _, client, _ = host
    body = cal_samples.cal_body("dup", "BOOKING_CANCELLED")
    first = await client.post("/webhooks/caldotcom", content=body, headers=cal_headers(body))
    second = await client.post("/webhooks/caldotcom", content=body, headers=cal_headers(body))
    assert first.status_code == second.status_code == 200
    assert second.json()["duplicate"] is True and second.json()["runs"] == 0
    # a duplicate keeps no body (a captured delivery re-sent many times is stored once)
    dup = (await client.get(f"/api/requests/{second.json()['id']}")).json()
    assert dup["status"] == "duplicate" and dup["duplicate_of"] == first.json()["id"]
    assert dup["body"] == "" and dup["body_size"] == len(body)
    # replay is an explicit "run again": dedupe does not apply, and a duplicate's replay
    # re-delivers the request it repeats (docs/management-api.md)
    replayed = await client.post(f"/api/requests/{second.json()['id']}/replay")
    assert replayed.status_code == 202 and len(replayed.json()["run_ids"]) == 1
    assert replayed.json()["request_id"] == first.json()["id"]


async def test_status_codes_for_bad_requests(host: Any) -> None:
    _, client, _ = host
    assert (await client.post("/webhooks/nope", content=b"{}")).status_code == 404
    assert (await client.post("/webhooks/off", content=b"{}")).status_code == 404
    big = b"x" * 5000
    assert (await client.post("/webhooks/plain", content=big)).status_code == 413
    r = await client.get("/webhooks/caldotcom")
    assert r.status_code == 405 and r.headers["allow"] == "POST"
    bad_len = await client.post("/webhooks/plain", content=b"{}", headers={"Content-Length": "abc"})
    assert bad_len.status_code == 400


async def test_whatsapp_handshake_through_the_plugin(host: Any) -> None:
    _, client, log = host
    ok = await client.get(
        "/webhooks/whatsapp",
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": WA_TOKEN,
            "hub.challenge": "1158201444",
        },
    )
    assert ok.status_code == 200 and ok.text == "1158201444"
    assert ok.headers["content-type"].startswith("text/plain")
    bad = await client.get(
        "/webhooks/whatsapp",
        params={"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
    )
    assert bad.status_code == 403 and bad.text == "verify token mismatch"
    handshakes = (await client.get("/api/requests", params={"status": "handshake"})).json()
    assert len(handshakes["items"]) == 1
    # the refusal is recorded with the provider's reason, not a generic one
    refused = (await client.get("/api/requests", params={"status": "rejected"})).json()
    assert [item["reason"] for item in refused["items"]] == ["verify token mismatch"]
    assert "wrong" not in json.dumps(refused)  # the query's token is masked
    assert WA_TOKEN not in json.dumps(handshakes)
    assert log == []


async def test_whatsapp_signed_message_runs_its_job(host: Any) -> None:
    _, client, log = host
    body = (
        b'{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":'
        b'"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number'
        b'":"1","phone_number_id":"2"},"messages":[{"from":"3","id":"wamid.X1","timestamp":'
        b'"1700000000","type":"text","text":{"body":"h\\u00e9llo \\u0040 you"}}]}}]}]}'
    )
    sig = "sha256=" + hmac.new(WA_SECRET.encode(), body, hashlib.sha256).hexdigest()
    r = await client.post(
        "/webhooks/whatsapp",
        content=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sig},
    )
    assert r.status_code == 200 and r.json()["runs"] == 1

    async def ran() -> bool:
        return bool(log)

    await wait_for(ran)
    assert log[0][0] == "wa" and "wamid.X1" in str(log[0][1])
    reserialised = json.dumps(json.loads(body), separators=(",", ":")).encode()
    r2 = await client.post(
        "/webhooks/whatsapp",
        content=reserialised,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sig},
    )
    assert r2.status_code == 401


async def test_seed_style_respond_with_and_verify_callable(host: Any) -> None:
    _, client, log = host
    ok = await client.get(
        "/webhooks/seed-wa",
        params={"hub.mode": "subscribe", "hub.verify_token": WA_TOKEN, "hub.challenge": "42"},
    )
    assert ok.status_code == 200 and ok.text == "42"
    bad = await client.get(
        "/webhooks/seed-wa",
        params={"hub.mode": "subscribe", "hub.verify_token": "no", "hub.challenge": "42"},
    )
    assert bad.status_code == 401
    body = b'{"hello":"world"}'
    sig = "sha256=" + hmac.new(WA_SECRET.encode(), body, hashlib.sha256).hexdigest()
    r = await client.post(
        "/webhooks/seed-wa",
        content=body,
        headers={"x-hub-signature-256": sig, "content-type": "application/json"},
    )
    assert r.status_code == 200 and r.json()["runs"] == 1
    unsigned = await client.post("/webhooks/seed-wa", content=body)
    assert unsigned.status_code == 401

    async def ran() -> bool:
        return ("seed", {"hello": "world"}) in log

    await wait_for(ran)


SHARED = "shared-secret-1"


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("skip_runs", [True, False])
async def test_respond_with_handlers_can_verify_with_the_endpoints_own_callable(
    tmp_path: Path, kind: str, skip_runs: bool
) -> None:
    """``verify()`` in a handler runs the endpoint's own verify callable (sync or async) once;
    with skip_triggering_runs=False that same verdict decides whether runs start."""
    calls: list[str] = []
    ran: list[str] = []

    def check_sync(request: WebhookRequest) -> bool:
        calls.append("v")
        return request.headers.get("x-shared-secret") == SHARED

    async def check_async(request: WebhookRequest) -> Verification:
        calls.append("v")
        if request.headers.get("x-shared-secret") == SHARED:
            return Verification.verified()
        return Verification.refused("wrong shared secret")

    async def handler(request: WebhookRequest, verify: Any) -> tuple[str, int]:
        result = await verify()
        again = await verify()  # computed once
        assert bool(result) == bool(again)
        return f"verified={bool(result)} reason={result.reason}", 200

    hp = Hookpoint(id="rw")
    ep = hp.define_http_endpoint(
        id="hv",
        source="x",
        verify=check_sync if kind == "sync" else check_async,
        respond_with=RespondWith(
            filter={"query": {"hs": ["1"]}}, handler=handler, skip_triggering_runs=skip_runs
        ),
    )

    @hp.job(id="j", trigger=ep.on_request())
    async def job(request: WebhookRequest, io: Any, ctx: Any) -> None:
        ran.append(ctx.run_id)

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'hp.db'}", lease_seconds=5)
    server = HookpointServer(hp, settings)
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            good = await client.post(
                "/webhooks/hv?hs=1", content=b"{}", headers={"x-shared-secret": SHARED}
            )
            assert good.status_code == 200
            assert good.text.startswith("verified=True")
            assert calls == ["v"]  # once, also when the verdict then decides about runs
            bad = await client.post(
                "/webhooks/hv?hs=1", content=b"{}", headers={"x-shared-secret": "no"}
            )
            if skip_runs:
                assert bad.status_code == 200 and bad.text.startswith("verified=False")
                if kind == "async":
                    assert "wrong shared secret" in bad.text
            else:  # the handler answered, but an unverified request starts nothing: 401
                assert bad.status_code == 401
            if not skip_runs:

                async def one_run() -> bool:
                    return len(ran) == 1

                await wait_for(one_run)
            runs = (await client.get("/api/runs")).json()["items"]
            assert len(runs) == (0 if skip_runs else 1)


async def test_a_handshake_is_recorded_with_its_body_size_but_not_its_body(
    tmp_path: Path,
) -> None:
    hp = Hookpoint(id="hs")
    hp.define_http_endpoint(
        id="hs",
        source="x",
        verify="none",
        respond_with=RespondWith(
            filter={"body": {"type": ["url_validation"]}},
            handler=lambda request, verify: {"ok": True},
            skip_triggering_runs=True,
        ),
    )
    server = HookpointServer(hp, Settings(database_url=f"sqlite:///{tmp_path / 'hp.db'}"))
    body = b'{"type":"url_validation","token":"abc"}'
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            r = await client.post("/webhooks/hs", content=body)
            assert r.status_code == 200 and r.json() == {"ok": True}
            (item,) = (await client.get("/api/requests?status=handshake")).json()["items"]
            detail = (await client.get(f"/api/requests/{item['id']}")).json()
            assert detail["body_size"] == len(body)
            assert detail["body"] == ""


async def test_a_plain_verify_call_on_an_async_verify_callable_is_a_clear_error(
    tmp_path: Path,
) -> None:
    """Used without ``await``, an async verdict would always look true: refuse instead (the
    sender sees a plain 500, the log says what to change)."""

    async def check(request: WebhookRequest) -> bool:
        return False

    def handler(request: WebhookRequest, verify: Any) -> str:
        return "trusted" if verify() else "refused"

    hp = Hookpoint(id="rw")
    hp.define_http_endpoint(
        id="hv",
        source="x",
        verify=check,
        respond_with=RespondWith(filter={}, handler=handler, skip_triggering_runs=True),
    )
    server = HookpointServer(hp, Settings(database_url=f"sqlite:///{tmp_path / 'hp.db'}"))
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            r = await client.post("/webhooks/hv", content=b"{}")
            assert r.status_code == 500
            assert "trusted" not in r.text and "Traceback" not in r.text


async def test_non_json_bodies_are_filterable_by_method(host: Any) -> None:
    _, client, log = host
    assert log == []
    r = await client.post(
        "/webhooks/plain", content=b"not json at all", headers={"content-type": "text/plain"}
    )
    assert r.status_code == 200 and r.json()["runs"] == 1
    put = await client.put("/webhooks/plain", content=b"x")
    assert put.status_code == 200 and put.json()["runs"] == 0


async def test_store_failure_is_a_503_never_a_200(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "locked.db"
    settings = Settings(database_url=f"sqlite:///{path}?busy_timeout=0.2")
    server = HookpointServer(build_app([]), settings, run_worker=False)
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            blocker = sqlite3.connect(path, isolation_level=None)
            blocker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
            try:
                body = cal_samples.cal_body("lost?", "BOOKING_CANCELLED")
                r = await client.post(
                    "/webhooks/caldotcom", content=body, headers=cal_headers(body)
                )
                assert r.status_code == 503 and r.headers.get("retry-after")
                assert "Traceback" not in r.text
            finally:
                blocker.execute("ROLLBACK")
                blocker.close()
            # ingest recovers without restarting the host, and nothing was half-written
            listed = (await client.get("/api/requests")).json()["items"]
            assert listed == []
            r2 = await client.post("/webhooks/caldotcom", content=body, headers=cal_headers(body))
            assert r2.status_code == 200 and r2.json()["runs"] == 1


async def test_health_metrics_and_api_auth(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'a.db'}", admin_token="s3cret-token")
    server = HookpointServer(build_app([]), settings)
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            assert (await client.get("/healthz")).status_code == 200
            assert (await client.get("/readyz")).status_code == 200
            assert (await client.get("/api/endpoints")).status_code == 401
            wrong = {"Authorization": "Bearer nope"}
            assert (await client.get("/api/endpoints", headers=wrong)).status_code == 401
            auth = {"Authorization": "Bearer s3cret-token"}
            eps = (await client.get("/api/endpoints", headers=auth)).json()["items"]
            cal = next(e for e in eps if e["id"] == "caldotcom")
            assert cal["url"].endswith("/webhooks/caldotcom")
            assert cal["verification"] == "provider:caldotcom"
            assert CAL_SECRET not in json.dumps(eps)
            body = cal_samples.cal_body(trigger="BOOKING_CANCELLED")
            await client.post("/webhooks/caldotcom", content=body, headers=cal_headers(body))
            metrics = (await client.get("/metrics")).text
            assert (
                'hookpoint_requests_total{endpoint="caldotcom",outcome="accepted"} 1.0' in metrics
            )
            assert "hookpoint_queue_depth" in metrics


async def test_replay_of_a_run_and_of_a_request(host: Any) -> None:
    _, client, log = host
    assert log == []
    body = cal_samples.cal_body("replay", "BOOKING_CANCELLED")
    rid = (
        await client.post("/webhooks/caldotcom", content=body, headers=cal_headers(body))
    ).json()["id"]

    async def settled() -> bool:
        runs = await runs_of(client, rid)
        return bool(runs) and all(r["status"] == "succeeded" for r in runs)

    await wait_for(settled)
    run_id = (await runs_of(client, rid))[0]["id"]
    again = await client.post(f"/api/runs/{run_id}/replay")
    assert again.status_code == 202 and again.json()["replay_of"] == run_id
    redeliver = await client.post(f"/api/requests/{rid}/replay")
    assert redeliver.status_code == 202 and len(redeliver.json()["run_ids"]) == 1

    async def three() -> bool:
        runs = await runs_of(client, rid)
        return len(runs) == 3 and all(r["status"] == "succeeded" for r in runs)

    await wait_for(three)
    assert (await client.post("/api/runs/nope/replay")).status_code == 404


async def test_api_without_a_token_is_loopback_only_and_not_through_a_proxy(host: Any) -> None:
    _, client, _ = host
    assert (await client.get("/api/endpoints")).status_code == 200  # loopback client
    proxied = await client.get("/api/endpoints", headers={"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 401
    remote = httpx.ASGITransport(app=client._transport.app, client=("203.0.113.9", 5000))  # type: ignore[attr-defined]
    async with httpx.AsyncClient(transport=remote, base_url="http://localhost") as outside:
        assert (await outside.get("/api/endpoints")).status_code == 401


async def _ingest_stalled_body(
    server: HookpointServer, cancel_after: float | None = None
) -> tuple[list[dict[str, Any]], float]:
    """Drive the ingest handler with a body whose second chunk never comes; what it sent back
    and how long it took. ``cancel_after`` cancels the request task from outside instead."""
    loop = asyncio.get_running_loop()
    sent: list[dict[str, Any]] = []
    chunks = [{"type": "http.request", "body": b'{"a":', "more_body": True}]
    never: asyncio.Future[dict[str, Any]] = loop.create_future()

    async def receive() -> dict[str, Any]:
        return chunks.pop() if chunks else await never

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/webhooks/open",
        "raw_path": b"/webhooks/open",
        "query_string": b"",
        "headers": [(b"host", b"h")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
        "scheme": "http",
    }
    started = loop.time()
    task = asyncio.create_task(server.ingest(scope, receive, send))
    if cancel_after is not None:
        await asyncio.sleep(cancel_after)
        task.cancel()
    await asyncio.wait_for(task, 10)
    return sent, loop.time() - started


async def test_a_stalled_body_gets_408_within_one_read_timeout(tmp_path: Path) -> None:
    """Every body is cut between read_timeout and read_timeout + its check interval, one
    stalled body does not hold up the next, and the same handler keeps working after."""
    hp = Hookpoint(id="stall")
    hp.define_http_endpoint(id="open", source="x", verify="none")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'hp.db'}", read_timeout=0.4)
    server = HookpointServer(hp, settings)
    async with server.running():
        (first, t1), (second, t2) = await asyncio.gather(
            _ingest_stalled_body(server), _ingest_stalled_body(server)
        )
        for sent, took in ((first, t1), (second, t2)):
            assert sent[0]["status"] == 408
            assert (b"connection", b"close") in sent[0]["headers"]
            assert json.loads(sent[1]["body"])["error"] == "request_timeout"
            assert 0.4 <= took < 0.4 + 0.1 + 0.5  # limit + tick + slack
        again, _ = await _ingest_stalled_body(server)  # the periodic check restarts
        assert again[0]["status"] == 408


async def test_a_request_cancelled_from_outside_is_not_turned_into_a_408(
    tmp_path: Path,
) -> None:
    """A server shutting down cancels request tasks: that cancellation must propagate, not be
    mistaken for a body timeout and answered."""
    hp = Hookpoint(id="stall")
    hp.define_http_endpoint(id="open", source="x", verify="none")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'hp.db'}", read_timeout=5.0)
    server = HookpointServer(hp, settings)
    async with server.running():
        with pytest.raises(asyncio.CancelledError):
            await _ingest_stalled_body(server, cancel_after=0.05)


def test_body_timeouts_come_from_one_setting(tmp_path: Path) -> None:
    """HOOKPOINT_READ_TIMEOUT bounds every body: the ingest handler's own timer for webhooks,
    Quart's BODY_TIMEOUT for the API and dashboard; hypercorn's per-read timeout stays off
    (it would wrap every socket read on the hot path in asyncio.wait_for)."""
    from hookpoint._serve import hypercorn_config

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'hp.db'}", read_timeout=7.5)
    server = HookpointServer(Hookpoint(id="timeouts"), settings)
    assert server.ingest.read_timeout == 7.5
    assert server.quart.config["BODY_TIMEOUT"] == 8
    assert hypercorn_config(settings).read_timeout is None
