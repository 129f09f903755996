"""Discord through a running host: PONG only for a validly signed PING, 401 otherwise."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hookpoint import Hookpoint
from hookpoint.testing import app_client
from hookpoint_discord._samples import (
    APPLICATION_AUTHORIZED,
    APPLICATION_COMMAND,
    TEST_PRIVATE_KEY,
    TEST_PUBLIC_KEY,
)

PING = b'{"type":1,"id":"1","application_id":"2","token":"t","version":1}'
# The known-answer "discord-ping" vector (RFC 8032 §7.1 TEST 1 key, signed at 1700000000).
PUBLIC_KEY = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
VECTOR_HEADERS = {
    "Content-Type": "application/json",
    "X-Signature-Timestamp": "1700000000",
    "X-Signature-Ed25519": (
        "3433fec544f1726578c1e22addb495066aa1528416997cee1dee09ef294cf150"
        "f43312e342de8386ba27ae08ab02dbe61bde8536c9fbdef921397ba3481a820f"
    ),
}


def signed_headers(body: bytes, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(TEST_PRIVATE_KEY))
    return {
        "Content-Type": "application/json",
        "X-Signature-Timestamp": stamp,
        "X-Signature-Ed25519": key.sign(stamp.encode() + body).hex(),
    }


@pytest.fixture
async def http(hookpoint_database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    hp = Hookpoint(id="discord-test")
    hp.define_http_endpoint(
        id="discord",
        source="discord.com",
        provider="discord",
        secrets=[TEST_PUBLIC_KEY],
        settings={"tolerance": 300},
    )
    hp.define_http_endpoint(
        id="discord-default", source="discord.com", provider="discord", secrets=[PUBLIC_KEY]
    )
    async with app_client(hp, database_url=hookpoint_database_url, lease_seconds=5) as client:
        yield client


async def test_signed_ping_gets_pong(http: httpx.AsyncClient) -> None:
    reply = await http.post("/webhooks/discord", content=PING, headers=signed_headers(PING))
    assert reply.status_code == 200 and reply.json() == {"type": 1}
    assert reply.headers["content-type"].startswith("application/json")


async def test_invalid_pings_get_401(http: httpx.AsyncClient) -> None:
    headers = signed_headers(PING)
    forged = {**headers, "X-Signature-Ed25519": "00" * 64}
    assert (await http.post("/webhooks/discord", content=PING, headers=forged)).status_code == 401
    tampered = PING.replace(b'"t"', b'"u"')
    reply = await http.post("/webhooks/discord", content=tampered, headers=headers)
    assert reply.status_code == 401
    stale = signed_headers(PING, int(time.time()) - 3600)
    assert (await http.post("/webhooks/discord", content=PING, headers=stale)).status_code == 401
    unsigned = await http.post(
        "/webhooks/discord", content=PING, headers={"Content-Type": "application/json"}
    )
    assert unsigned.status_code == 401
    assert unsigned.json() == {"error": "unauthorized", "message": "missing signature header"}
    # each refusal is kept with its own reason for the operator
    rejected = (await http.get("/api/requests", params={"status": "rejected"})).json()["items"]
    assert sorted(item["reason"] for item in rejected) == [
        "missing signature header",
        "signature mismatch",
        "signature mismatch",
        "timestamp too old",
    ]


async def test_commands_are_verified(http: httpx.AsyncClient) -> None:
    ok = await http.post(
        "/webhooks/discord",
        content=APPLICATION_COMMAND,
        headers=signed_headers(APPLICATION_COMMAND),
    )
    assert ok.status_code == 200
    bad = await http.post(
        "/webhooks/discord",
        content=APPLICATION_COMMAND + b" ",
        headers=signed_headers(APPLICATION_COMMAND),
    )
    assert bad.status_code == 401


async def test_the_published_ping_vector_by_default(http: httpx.AsyncClient) -> None:
    """Without a tolerance (Discord's own default) the fixed vector gets its PONG."""
    reply = await http.post("/webhooks/discord-default", content=PING, headers=VECTOR_HEADERS)
    assert reply.status_code == 200 and reply.json() == {"type": 1}
    forged = {**VECTOR_HEADERS, "X-Signature-Ed25519": "00" * 64}
    reply = await http.post("/webhooks/discord-default", content=PING, headers=forged)
    assert reply.status_code == 401


async def test_webhook_events_get_204_without_a_body_and_still_run(
    http: httpx.AsyncClient,
) -> None:
    """Discord: "respond with a 204 status code with no body within 3 seconds"; the event is
    still verified, stored (once) and offered to the jobs."""
    body = APPLICATION_AUTHORIZED
    reply = await http.post("/webhooks/discord", content=body, headers=signed_headers(body))
    assert reply.status_code == 204 and reply.content == b""
    assert "content-length" not in reply.headers
    stored = (await http.get("/api/requests")).json()["items"]
    assert [(r["status"], r["event_type"]) for r in stored] == [
        ("accepted", "APPLICATION_AUTHORIZED")
    ]
    forged = {**signed_headers(body), "X-Signature-Ed25519": "00" * 64}
    refused = await http.post("/webhooks/discord", content=body, headers=forged)
    assert refused.status_code == 401


async def test_a_chosen_answer_still_obeys_methods_and_counts_duplicates(
    http: httpx.AsyncClient,
) -> None:
    """The plugin only chooses the answer: a webhook event by a method the endpoint does not
    take is a 405 (not stored), and a repeat is counted as a duplicate in /metrics."""
    body = APPLICATION_AUTHORIZED
    put = await http.put("/webhooks/discord", content=body, headers=signed_headers(body))
    assert put.status_code == 405 and put.headers["allow"] == "POST"
    assert (await http.get("/api/requests")).json()["items"] == []
    for _ in range(2):
        reply = await http.post("/webhooks/discord", content=body, headers=signed_headers(body))
        assert reply.status_code == 204
    metrics = (await http.get("/metrics")).text
    assert 'hookpoint_requests_total{endpoint="discord",outcome="duplicate"} 1.0' in metrics
