"""Asana provider: known-answer handshake and event vectors, secret capture, description, models,
and the handshake through a running host."""

from __future__ import annotations

import hmac
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

import hookpoint_asana
from hookpoint import Hookpoint, WebhookRequest
from hookpoint.testing import (
    PluginHost,
    app_client,
    challenge_request,
    describe_request,
    plugin_host,
    sign_request,
    verify_request,
)
from hookpoint_asana import AsanaWebhook, parse_payload
from hookpoint_asana._samples import HEARTBEAT, TASK_CHANGED

# Known-answer vectors "asana-handshake" and "asana-event".
HOOK_SECRET = "b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81"
EVENT_BODY = (
    b'{"events":[{"action":"changed","resource":{"gid":"1234","resource_type":"task"},'
    b'"created_at":"2024-01-01T00:00:00.000Z"}]}'
)
EVENT_SIGNATURE = "d9595f13576e4faf1d4c2d2da492b95c49abc1dbc192435d5abce305290c204c"
URL = "https://hooks.example.com/webhooks/asana"


@pytest.fixture(scope="module")
def plugins() -> PluginHost:
    return plugin_host(hookpoint_asana.PLUGIN)


def request(body: bytes = EVENT_BODY, signature: str | None = EVENT_SIGNATURE) -> WebhookRequest:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hook-Signature"] = signature
    return WebhookRequest(url=URL, headers=headers, body=body)


def verify(plugins: PluginHost, req: WebhookRequest, secrets: list[str] | None = None) -> Any:
    return verify_request(plugins, "asana", req, [HOOK_SECRET] if secrets is None else secrets)


def handshake(plugins: PluginHost, method: str = "POST", **settings: Any) -> Any:
    req = WebhookRequest(method=method, url=URL, headers={"X-Hook-Secret": HOOK_SECRET})
    return challenge_request(plugins, "asana", req, [], settings=settings)


def test_handshake_vector(plugins: PluginHost) -> None:
    reply = handshake(plugins)
    assert reply.status == 200 and reply.body == b""
    assert reply.headers == {"X-Hook-Secret": HOOK_SECRET}
    assert reply.skip_triggering_runs


def test_handshake_can_be_refused(plugins: PluginHost) -> None:
    reply = handshake(plugins, accept_handshakes=False)
    assert reply.status == 403 and "X-Hook-Secret" not in reply.headers


def test_non_handshakes(plugins: PluginHost) -> None:
    assert handshake(plugins, method="GET") is None
    assert challenge_request(plugins, "asana", request(), []) is None


def test_event_vector_verifies(plugins: PluginHost) -> None:
    assert verify(plugins, request()).success


def test_event_vector_rejected_with_one_byte_changed(plugins: PluginHost) -> None:
    assert not verify(plugins, request(EVENT_BODY.replace(b"1234", b"1235"))).success


def test_sign_hook_reproduces_the_vector(plugins: PluginHost) -> None:
    signed = sign_request(plugins, "asana", request(signature=None), HOOK_SECRET)
    assert signed is not None and signed.headers["X-Hook-Signature"] == EVENT_SIGNATURE


def test_computed_vector_and_rotation(plugins: PluginHost) -> None:
    signature = hmac.digest(b"second-webhook", HEARTBEAT, "sha256").hex()
    req = request(HEARTBEAT, signature)
    assert verify(plugins, req, [HOOK_SECRET, "second-webhook"]).success
    assert not verify(plugins, req).success
    assert verify(plugins, request(signature=None)).reason == "missing signature header"


async def test_capture_handshake_hands_the_secret_over() -> None:
    saved: list[str] = []

    async def save(secret: str) -> None:
        saved.append(secret)

    respond = hookpoint_asana.capture_handshake(save)
    req = WebhookRequest(url=URL, headers={"X-Hook-Secret": HOOK_SECRET})
    reply = await respond.handler(req, None)
    assert saved == [HOOK_SECRET]
    assert reply.status == 200 and reply.headers == {"X-Hook-Secret": HOOK_SECRET}
    sync = hookpoint_asana.capture_handshake(saved.append)
    await sync.handler(req, None)
    assert saved == [HOOK_SECRET, HOOK_SECRET]


def describe(plugins: PluginHost, body: bytes) -> Any:
    return describe_request(plugins, "asana", request(body))


def test_describe(plugins: PluginHost) -> None:
    info = describe(plugins, EVENT_BODY)
    assert info.type == "task.changed" and info.id.startswith("sha256:")
    assert info.time == datetime(2024, 1, 1, tzinfo=UTC)
    assert info.fields["resource_gids"] == ["1234"]
    mixed = describe(plugins, TASK_CHANGED)
    assert mixed.type is None
    assert mixed.fields["event_types"] == ["task.changed", "story.added"]
    heartbeat = describe(plugins, HEARTBEAT)
    # every heartbeat is {"events":[]}: a body-hash id would make all but one a duplicate
    assert heartbeat.type == "heartbeat" and heartbeat.id is None
    assert describe(plugins, b'{"events":"x"}').type is None


def test_models() -> None:
    webhook = parse_payload(json.loads(TASK_CHANGED))
    assert isinstance(webhook, AsanaWebhook) and not webhook.is_heartbeat
    first = webhook.events[0]
    assert first.resource is not None and first.resource.resource_type == "task"
    assert first.change is not None and first.change.new_value is True
    assert first.created_at == datetime(2024, 5, 2, 9, 12, 45, 321000, tzinfo=UTC)
    assert parse_payload(json.loads(HEARTBEAT)).is_heartbeat
    extra = parse_payload({"events": [{"action": "added", "new": 1}]})
    assert extra.events[0].model_extra == {"new": 1}


# -- through a running host ----------------------------------------------------------------------


@pytest.fixture
async def client(
    hookpoint_database_url: str,
) -> AsyncIterator[tuple[httpx.AsyncClient, list[str]]]:
    saved: list[str] = []
    hp = Hookpoint(id="asana-test")
    hp.define_http_endpoint(id="asana", source="asana.com", provider="asana", secrets=[HOOK_SECRET])
    hp.define_http_endpoint(
        id="asana-setup",
        source="asana.com",
        provider="asana",
        secrets=["not-yet"],
        respond_with=hookpoint_asana.capture_handshake(saved.append),
    )
    async with app_client(hp, database_url=hookpoint_database_url, lease_seconds=5) as http:
        yield http, saved


async def test_host_answers_the_handshake_and_verifies_events(
    client: tuple[httpx.AsyncClient, list[str]],
) -> None:
    http, saved = client
    reply = await http.post("/webhooks/asana", headers={"X-Hook-Secret": HOOK_SECRET})
    assert reply.status_code == 200 and reply.headers["X-Hook-Secret"] == HOOK_SECRET
    ok = await http.post(
        "/webhooks/asana",
        content=EVENT_BODY,
        headers={"Content-Type": "application/json", "X-Hook-Signature": EVENT_SIGNATURE},
    )
    assert ok.status_code == 200
    bad = await http.post(
        "/webhooks/asana",
        content=EVENT_BODY + b" ",
        headers={"Content-Type": "application/json", "X-Hook-Signature": EVENT_SIGNATURE},
    )
    assert bad.status_code == 401
    assert saved == []


async def test_host_capture_handshake(client: tuple[httpx.AsyncClient, list[str]]) -> None:
    http, saved = client
    reply = await http.post("/webhooks/asana-setup", headers={"X-Hook-Secret": "fresh"})
    assert reply.status_code == 200 and reply.headers["X-Hook-Secret"] == "fresh"
    assert saved == ["fresh"]


def test_the_readme_filter_catches_a_kind_inside_a_mixed_batch() -> None:
    """README: a task change arrives with its story; `type` is then None, the event_types
    filter still matches (and a plain type filter would not)."""
    hp = Hookpoint(id="asana-batch")
    asana = hp.define_http_endpoint(id="asana", source="asana.com", provider="asana", secrets=["s"])
    readme = hp.define_job(
        id="readme",
        trigger=asana.on_request(
            filter={"event": {"event_types": [{"$includes": "task.changed"}]}}
        ),
        run=print,
    )
    by_type = hp.define_job(
        id="by-type",
        trigger=asana.on_request(filter={"event": {"type": ["task.changed"]}}),
        run=print,
    )
    story = {"action": "added", "resource": {"gid": "2", "resource_type": "story"}}
    batch = json.loads(TASK_CHANGED)
    batch["events"].append(story)
    req = request(json.dumps(batch).encode())
    info = describe(hp.plugins, req.body)
    assert info.type is None and info.fields["event_types"] == ["task.changed", "story.added"]
    matched = hp.matching_jobs(asana, req.with_context(event=info))
    assert readme in matched and by_type not in matched
