"""Dedupe for every endpoint (issue 16, item 3), through the real host on both stores.

An endpoint without a provider dedupes on ``Idempotency-Key``, then ``X-Request-Id``, as
Trigger.dev v2's HTTP endpoints do; ``dedupe=`` picks other headers, a callable, or ``False``,
for provider endpoints too. The key is read only after verification and is per endpoint.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hookpoint import ConfigError, Hookpoint, WebhookRequest
from hookpoint._server import HookpointServer
from hookpoint._settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
try:
    import cal_samples
finally:
    sys.path.pop(0)

SHARED = "s3cret"
CAL_SECRET = "cal-secret"
GOOD = {"x-shared-secret": SHARED}


def shared_secret(request: WebhookRequest) -> bool:
    return request.headers.get("x-shared-secret") == SHARED


def key_from_body(request: WebhookRequest) -> Any:
    body = request.json()
    if body.get("boom"):
        raise RuntimeError("the app's dedupe callable has a bug")
    return body.get("key")


def build_app() -> Hookpoint:
    hp = Hookpoint(id="dedupe")

    def job(endpoint: Any) -> None:
        hp.define_job(
            id=f"job-{endpoint.id}",
            trigger=endpoint.on_request(),
            run=lambda request, io, ctx: None,
        )

    job(hp.define_http_endpoint(id="generic", source="x", verify=shared_secret))
    job(hp.define_http_endpoint(id="other", source="x", verify=shared_secret))
    job(hp.define_http_endpoint(id="open", source="x", verify="none"))
    job(
        hp.define_http_endpoint(
            id="listed", source="x", verify="none", dedupe=["X-Delivery", "X-Alt"]
        )
    )
    job(hp.define_http_endpoint(id="byfn", source="x", verify="none", dedupe=key_from_body))
    job(hp.define_http_endpoint(id="off", source="x", verify="none", dedupe=False))
    job(hp.define_http_endpoint(id="short", source="x", verify="none", dedupe_window=0.4))
    job(
        hp.define_http_endpoint(
            id="cal",
            source="cal.com",
            provider="caldotcom",
            secrets=[CAL_SECRET],
            dedupe="X-Delivery-Id",
        )
    )
    job(
        hp.define_http_endpoint(
            id="cal-off", source="cal.com", provider="caldotcom", secrets=[CAL_SECRET], dedupe=False
        )
    )
    byid = hp.define_http_endpoint(id="byid", source="x", verify="none")
    hp.define_job(
        id="wanted-only",
        trigger=byid.on_request(filter={"event": {"id": ["wanted"]}}),
        run=lambda request, io, ctx: None,
    )
    return hp


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hp.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
async def client(db_url: str) -> AsyncIterator[httpx.AsyncClient]:
    url = db_url
    server = HookpointServer(build_app(), Settings(database_url=url), run_worker=False)
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as c:
            yield c


async def post(
    client: httpx.AsyncClient, endpoint: str, headers: dict[str, str], body: bytes = b"{}"
) -> dict[str, Any]:
    r = await client.post(f"/webhooks/{endpoint}", content=body, headers=headers)
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = r.json()
    return answer


async def detail(client: httpx.AsyncClient, request_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (await client.get(f"/api/requests/{request_id}")).json()
    return found


def fresh(answer: dict[str, Any]) -> bool:
    return answer["duplicate"] is False and answer["runs"] == 1


def repeat_of(answer: dict[str, Any]) -> bool:
    return (
        answer["duplicate"] is True
        and answer["runs"] == 0
        and set(answer)
        == {
            "id",
            "duplicate",
            "runs",
        }
    )


async def test_a_verify_endpoint_dedupes_on_idempotency_key(client: httpx.AsyncClient) -> None:
    first = await post(client, "generic", {**GOOD, "Idempotency-Key": "k1"})
    assert fresh(first)
    again = await post(client, "generic", {**GOOD, "Idempotency-Key": "k1"})
    assert repeat_of(again)
    dup = await detail(client, again["id"])
    assert dup["status"] == "duplicate" and dup["duplicate_of"] == first["id"]
    assert (await detail(client, first["id"]))["event_id"] == "k1"  # shown as its event id
    assert fresh(await post(client, "generic", {**GOOD, "Idempotency-Key": "k2"}))
    # without a key every delivery is new
    assert fresh(await post(client, "generic", GOOD))
    assert fresh(await post(client, "generic", GOOD))
    runs = (await client.get("/api/runs", params={"endpoint": "generic"})).json()["items"]
    assert len(runs) == 4


async def test_the_key_is_the_event_id_filters_see(client: httpx.AsyncClient) -> None:
    """Without a provider the key is the request's event id at ingest, as in a replay."""
    wanted = await post(client, "byid", {"Idempotency-Key": "wanted"})
    assert wanted["runs"] == 1
    assert (await post(client, "byid", {"X-Request-Id": "other"}))["runs"] == 0
    assert (await post(client, "byid", {}))["runs"] == 0
    replayed = await client.post(f"/api/requests/{wanted['id']}/replay")
    assert replayed.status_code == 202 and len(replayed.json()["run_ids"]) == 1


async def test_x_request_id_is_the_fallback(client: httpx.AsyncClient) -> None:
    assert fresh(await post(client, "generic", {**GOOD, "X-Request-Id": "r1"}))
    assert repeat_of(await post(client, "generic", {**GOOD, "X-Request-Id": "r1"}))
    # Idempotency-Key comes first: with both, r1 is not the key
    both = await post(client, "generic", {**GOOD, "Idempotency-Key": "i1", "X-Request-Id": "r1"})
    assert fresh(both)
    assert repeat_of(await post(client, "generic", {**GOOD, "Idempotency-Key": "i1"}))
    # an empty Idempotency-Key does not count: X-Request-Id is used
    assert repeat_of(
        await post(client, "generic", {**GOOD, "Idempotency-Key": " ", "X-Request-Id": "r1"})
    )


async def test_keys_are_per_endpoint(client: httpx.AsyncClient) -> None:
    headers = {**GOOD, "Idempotency-Key": "shared"}
    assert fresh(await post(client, "generic", headers))
    assert fresh(await post(client, "other", headers))
    assert fresh(await post(client, "open", {"Idempotency-Key": "shared"}))
    assert repeat_of(await post(client, "other", headers))


async def test_a_forged_request_does_not_use_up_a_key(client: httpx.AsyncClient) -> None:
    forged = await client.post(
        "/webhooks/generic",
        content=b"{}",
        headers={"x-shared-secret": "forged", "Idempotency-Key": "taken?"},
    )
    assert forged.status_code == 401
    assert fresh(await post(client, "generic", {**GOOD, "Idempotency-Key": "taken?"}))


async def test_a_list_of_headers_first_present_and_non_empty_wins(
    client: httpx.AsyncClient,
) -> None:
    assert fresh(await post(client, "listed", {"X-Alt": "v"}))
    assert repeat_of(await post(client, "listed", {"X-Delivery": "", "X-Alt": "v"}))
    assert repeat_of(await post(client, "listed", {"X-Delivery": "v"}))
    # the defaults no longer apply to this endpoint
    assert fresh(await post(client, "listed", {"Idempotency-Key": "k"}))
    assert fresh(await post(client, "listed", {"Idempotency-Key": "k"}))


async def test_a_callable_key_and_a_callable_that_fails(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    assert fresh(await post(client, "byfn", {}, b'{"key":"e1"}'))
    assert repeat_of(await post(client, "byfn", {}, b'{"key":"e1","other":1}'))
    assert fresh(await post(client, "byfn", {}, b'{"key":"e2"}'))
    assert fresh(await post(client, "byfn", {}, b"{}"))  # None: no key
    with caplog.at_level(logging.ERROR, logger="hookpoint.ingest"):
        # a bug in the callable: logged, and the delivery is still accepted (never lose data)
        assert fresh(await post(client, "byfn", {}, b'{"key":"e1","boom":true}'))
        assert fresh(await post(client, "byfn", {}, b'{"key":"e1","boom":true}'))
        # not a string: the same
        assert fresh(await post(client, "byfn", {}, b'{"key":7}'))
        assert fresh(await post(client, "byfn", {}, b'{"key":7}'))
    messages = [r.getMessage() for r in caplog.records]
    assert sum("dedupe callable of endpoint byfn raised" in m for m in messages) == 2
    assert sum("returned int, not a str" in m for m in messages) == 2


async def test_hostile_keys_never_fail_the_store(client: httpx.AsyncClient) -> None:
    """NUL and lone surrogates (JSON allows both) and huge keys: kept distinct, deduped."""
    for key in ("a\\u0000b", "\\ud800", "x" * 300, "x" * 300 + "y"):
        body = b'{"key":"%s"}' % key.encode()
        assert fresh(await post(client, "byfn", {}, body))
        assert repeat_of(await post(client, "byfn", {}, body))
    long = await post(client, "byfn", {}, b'{"key":"' + b"z" * 1000 + b'"}')
    assert fresh(long)
    stored = (await detail(client, long["id"]))["event_id"]
    assert stored.startswith("sha256:") and len(stored) == 71
    # a short key that looks like a digest cannot claim a long key's place
    assert fresh(await post(client, "byfn", {}, b'{"key":"%s"}' % stored.encode()))
    latin = await client.post(
        "/webhooks/open", content=b"{}", headers=[("Idempotency-Key", b"\xe9")]
    )
    assert latin.status_code == 200 and fresh(latin.json())


async def test_dedupe_false_turns_it_off(client: httpx.AsyncClient) -> None:
    assert fresh(await post(client, "off", {"Idempotency-Key": "k"}))
    assert fresh(await post(client, "off", {"Idempotency-Key": "k"}))
    body = cal_samples.cal_body("same", "BOOKING_CREATED")
    headers = cal_samples.cal_headers(body, CAL_SECRET)
    assert fresh(await post(client, "cal-off", headers, body))
    assert fresh(await post(client, "cal-off", headers, body))


async def test_a_key_is_new_again_after_the_window(client: httpx.AsyncClient) -> None:
    assert fresh(await post(client, "short", {"Idempotency-Key": "w"}))
    assert repeat_of(await post(client, "short", {"Idempotency-Key": "w"}))
    await asyncio.sleep(0.6)
    assert fresh(await post(client, "short", {"Idempotency-Key": "w"}))


async def test_a_provider_endpoint_with_dedupe_uses_that_key(client: httpx.AsyncClient) -> None:
    one = cal_samples.cal_body("one", "BOOKING_CREATED")
    two = cal_samples.cal_body("two", "BOOKING_CREATED")
    first = await post(
        client, "cal", cal_samples.cal_headers(one, CAL_SECRET, **{"X-Delivery-Id": "d1"}), one
    )
    assert fresh(first)
    # another event, same delivery id: a duplicate
    assert repeat_of(
        await post(
            client, "cal", cal_samples.cal_headers(two, CAL_SECRET, **{"X-Delivery-Id": "d1"}), two
        )
    )
    # the same event under another delivery id: not a duplicate (the provider's id is not used)
    assert fresh(
        await post(
            client, "cal", cal_samples.cal_headers(one, CAL_SECRET, **{"X-Delivery-Id": "d2"}), one
        )
    )
    # the stored event id is still the provider's, not the delivery id
    event_id = (await detail(client, first["id"]))["event_id"]
    assert event_id and event_id not in ("d1", "d2")
    # no delivery id: no dedupe at all
    headers = cal_samples.cal_headers(one, CAL_SECRET)
    assert fresh(await post(client, "cal", headers, one))
    assert fresh(await post(client, "cal", headers, one))


async def test_duplicates_are_counted_and_can_be_redelivered(client: httpx.AsyncClient) -> None:
    first = await post(client, "open", {"Idempotency-Key": "m"})
    dups = [await post(client, "open", {"Idempotency-Key": "m"}) for _ in range(2)]
    assert all(repeat_of(d) for d in dups)
    metrics = (await client.get("/metrics")).text
    assert 'hookpoint_requests_total{endpoint="open",outcome="accepted"} 1.0' in metrics
    assert 'hookpoint_requests_total{endpoint="open",outcome="duplicate"} 2.0' in metrics
    # re-delivering the original, or a duplicate (which re-delivers the original), is an
    # explicit "run again": never refused as a duplicate of itself
    for rid in (first["id"], dups[0]["id"]):
        replayed = await client.post(f"/api/requests/{rid}/replay")
        assert replayed.status_code == 202, replayed.text
        assert replayed.json()["request_id"] == first["id"]
        assert len(replayed.json()["run_ids"]) == 1
    runs = (await client.get("/api/runs", params={"endpoint": "open"})).json()["items"]
    assert len(runs) == 3


# -- definition time ----------------------------------------------------------------------------


async def _async_key(request: WebhookRequest) -> str:
    return "k"


class _AsyncCallable:
    async def __call__(self, request: WebhookRequest) -> str:
        return "k"


@pytest.mark.parametrize(
    ("dedupe", "message"),
    [
        (True, "dedupe must be a header name, a list of header names, a callable"),
        (3, "dedupe must be a header name"),
        (b"Idempotency-Key", "dedupe must be a header name"),
        ("", "dedupe header '' is not a header name"),
        ("Idempotency Key", "dedupe header 'Idempotency Key' is not a header name"),
        ([], "empty list of headers"),
        (["X-A", ""], "dedupe header '' is not a header name"),
        (["X-A", None], "dedupe header None is not a header name"),
        (_async_key, "the dedupe callable must be synchronous"),
        (_AsyncCallable(), "the dedupe callable must be synchronous"),
        (lambda request, other: "k", r"must accept \(request\)"),
    ],
)
def test_a_bad_dedupe_is_a_config_error(dedupe: Any, message: str) -> None:
    hp = Hookpoint(id="bad", load_entrypoints=False)
    with pytest.raises(ConfigError, match=message):
        hp.define_http_endpoint(id="e", source="x", verify="none", dedupe=dedupe)
    assert "e" not in hp.endpoints


def test_good_dedupe_specs_and_defaults() -> None:
    hp = Hookpoint(id="ok")
    assert hp.define_http_endpoint(id="a", source="x", verify="none").dedupe.describe() == (
        "headers: Idempotency-Key, X-Request-Id"
    )
    assert (
        hp.define_http_endpoint(
            id="b", source="x", verify="none", dedupe=("X-A", "X-B")
        ).dedupe.describe()
        == "headers: X-A, X-B"
    )
    assert (
        hp.define_http_endpoint(
            id="c", source="x", verify="none", dedupe=key_from_body
        ).dedupe.describe()
        == "callable: key_from_body"
    )
    cal = hp.define_http_endpoint(
        id="d", source="cal.com", provider="caldotcom", secrets=[CAL_SECRET]
    )
    assert cal.dedupe.describe() == "event id"
    assert (
        hp.define_http_endpoint(id="e", source="x", verify="none", dedupe=False).dedupe.describe()
        == "off"
    )
