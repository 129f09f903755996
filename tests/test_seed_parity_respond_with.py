"""``respond_with`` behaves as Trigger.dev v2's ``respondWith`` does (issue 16, item 2).

* A handler answer outside 2xx refuses the request: no runs, the sender gets the handler's answer
  unchanged, the request is kept as a rejected one naming the status.
* A 2xx answer lets it through: verified (the handler's verdict reused, or computed now),
  stored, run; a request that does not verify still gets 401 and starts nothing.
* A ``RespondWith`` without a filter is a definition-time ``ConfigError``: the seed never calls
  a handler without one, and ``filter={}`` says "every request".
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hookpoint import ConfigError, Hookpoint, RespondWith, Response, WebhookRequest
from hookpoint._server import HookpointServer
from hookpoint._settings import Settings

SHARED = "s3cret"


def shared_secret(request: WebhookRequest) -> bool:
    return request.headers.get("x-shared-secret") == SHARED


def answer_by_query(request: WebhookRequest, verify: Any) -> Any:
    """Answers with the status in ``?status=`` (and a body and header the test can compare)."""
    status = int(request.query.get("status") or "200")
    if request.query.get("check") == "1":
        verify()
    return Response(
        {"answered": status}, status=status, headers={"X-From-Handler": "yes", "Location": "/x"}
    )


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    hp = Hookpoint(id="rw")
    ep = hp.define_http_endpoint(
        id="rw",
        source="x",
        verify=shared_secret,
        respond_with=RespondWith(
            filter={"query": {"status": [{"$exists": True}]}}, handler=(answer_by_query)
        ),
    )
    hp.define_job(id="j", trigger=ep.on_request(), run=lambda request, io, ctx: None)
    every = hp.define_http_endpoint(
        id="every",
        source="x",
        verify="none",
        methods=["POST"],
        respond_with=RespondWith(filter={}, handler=lambda request, verify: "mine"),
    )
    hp.define_job(id="k", trigger=every.on_request(), run=lambda request, io, ctx: None)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'hp.db'}")
    server = HookpointServer(hp, settings, run_worker=False)
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
            yield c


async def _runs(client: httpx.AsyncClient) -> int:
    return len((await client.get("/api/runs")).json()["items"])


async def _requests(client: httpx.AsyncClient, status: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (
        await client.get("/api/requests", params={"status": status})
    ).json()["items"]
    return items


@pytest.mark.parametrize("status", [403, 302, 500, 409])
async def test_an_answer_outside_2xx_refuses_even_a_verified_request(
    client: httpx.AsyncClient, status: int
) -> None:
    r = await client.post(
        f"/webhooks/rw?status={status}&check=1",
        content=b"{}",
        headers={"x-shared-secret": SHARED},  # verifies, yet the handler said no
    )
    assert r.status_code == status
    assert r.json() == {"answered": status}  # the handler's answer, unchanged
    assert r.headers["x-from-handler"] == "yes" and r.headers["location"] == "/x"
    assert await _runs(client) == 0
    assert await _requests(client, "accepted") == []
    (refused,) = await _requests(client, "rejected")
    assert refused["reason"] == f"respond_with handler answered {status}"
    metrics = (await client.get("/metrics")).text
    assert 'hookpoint_requests_total{endpoint="rw",outcome="refused"} 1.0' in metrics


@pytest.mark.parametrize("status", [200, 201, 204])
async def test_a_2xx_answer_lets_a_verified_request_through(
    client: httpx.AsyncClient, status: int
) -> None:
    r = await client.post(
        f"/webhooks/rw?status={status}", content=b"{}", headers={"x-shared-secret": SHARED}
    )
    assert r.status_code == status and r.headers["x-from-handler"] == "yes"
    # the handler never called verify(): the host verified before storing and running
    assert await _runs(client) == 1
    assert len(await _requests(client, "accepted")) == 1
    assert await _requests(client, "rejected") == []


@pytest.mark.parametrize("check", ["0", "1"])
async def test_a_2xx_answer_to_a_forged_request_is_a_401_without_runs(
    client: httpx.AsyncClient, check: str
) -> None:
    """The handler answered 200, but the request does not verify (whether the handler looked or
    not): the sender gets 401 instead, and a forgery never starts runs."""
    r = await client.post(
        f"/webhooks/rw?status=200&check={check}",
        content=b"{}",
        headers={"x-shared-secret": "forged"},
    )
    assert r.status_code == 401 and "answered" not in r.text
    assert await _runs(client) == 0
    (rejected,) = await _requests(client, "rejected")
    assert rejected["reason"] == "verification failed"


async def test_filter_empty_answers_every_request(client: httpx.AsyncClient) -> None:
    for path in ("/webhooks/every", "/webhooks/every?x=1"):
        r = await client.post(path, content=b"anything")
        assert r.status_code == 200 and r.text == "mine"
    assert await _runs(client) == 2


def _handler(request: WebhookRequest, verify: Any) -> str:
    return "ok"


def test_a_respond_with_without_a_filter_is_a_config_error() -> None:
    for make in (
        lambda: RespondWith(handler=_handler),
        lambda: RespondWith(filter=None, handler=_handler),
        lambda: RespondWith(None, _handler),
        lambda: RespondWith(handler=_handler, skip_triggering_runs=True),
    ):
        with pytest.raises(ConfigError, match=r"filter=\{\} to answer every request"):
            make()


def test_a_respond_with_needs_a_callable_handler() -> None:
    with pytest.raises(ConfigError, match="handler="):
        RespondWith(filter={})
    with pytest.raises(ConfigError, match="handler="):
        RespondWith(filter={}, handler="not callable")  # type: ignore[arg-type]


def test_a_filter_given_positionally_or_empty_is_fine() -> None:
    hp = Hookpoint(id="ok", load_entrypoints=False)
    rw = RespondWith({"method": ["GET"]}, _handler)
    ep = hp.define_http_endpoint(id="a", source="x", verify="none", respond_with=rw)
    assert ep.respond_with is rw and rw._compiled is not None
    hp.define_http_endpoint(
        id="b", source="x", verify="none", respond_with=RespondWith(filter={}, handler=_handler)
    )
