"""WorkOS provider: workos-python's verify_event accepts what the provider signs and parses every
sample into its own event class; the provider accepts a signature made by workos-python's signer
of the same construction (AuthKit Actions; the SDK signs no webhooks); millisecond timestamps,
the 180 s tolerance both ways, event description and models."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import workos
from workos.events.models import EventSchema, EventSchemaUnknown

import hookpoint_workos
from hookpoint import WebhookRequest
from hookpoint.signing import sign_hex
from hookpoint.testing import (
    PluginHost,
    describe_request,
    get_sample,
    load_plugins,
    plugin_host,
    sign_sample,
    verify_request,
)
from hookpoint_workos import (
    WEBHOOK_SECRET,
    Connection,
    DirectoryMembership,
    DirectoryUser,
    OrganizationMembership,
    User,
    WorkOSObject,
    parse_payload,
)

HEADER = "WorkOS-Signature"
URL = "https://hooks.example.com/webhooks/workos"
SAMPLE_NAMES = [s.name for s in hookpoint_workos.SAMPLES]
TS_MS = 1_700_000_000_123


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_workos.PLUGIN)


@pytest.fixture(scope="module")
def client() -> workos.WorkOSClient:
    return workos.WorkOSClient(api_key="sk_test_hookpoint", client_id="client_hookpoint")


def verify(host: PluginHost, req: WebhookRequest, now: float, **settings: Any) -> Any:
    return verify_request(host, "workos", req, [WEBHOOK_SECRET], now=now, settings=settings)


def delivery(header: str | None, body: bytes = b'{"event":"user.created"}') -> WebhookRequest:
    return WebhookRequest(url=URL, headers={HEADER: header} if header else {}, body=body)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_the_sdk_verifies_and_parses_what_the_provider_signs(
    host: PluginHost, client: workos.WorkOSClient, name: str
) -> None:
    signed = sign_sample(host, "workos", name, now=time.time())
    header = signed.headers[HEADER]
    event = client.webhooks.verify_event(
        event_body=signed.body, event_signature=header, secret=WEBHOOK_SECRET
    )
    # the SDK's own, strict model for the event type: the sample has every field it requires
    assert not isinstance(event, EventSchemaUnknown)
    assert type(event) is EventSchema._DISPATCH[name]
    assert event.event == name and event.id == json.loads(signed.body)["id"]
    with pytest.raises(ValueError, match="does not match"):
        client.webhooks.verify_header(
            event_body=signed.body + b" ", event_signature=header, secret=WEBHOOK_SECRET
        )


def test_the_sdk_refuses_what_the_provider_refuses_at_the_tolerance(
    host: PluginHost, client: workos.WorkOSClient
) -> None:
    now = time.time()
    stale = sign_sample(host, "workos", "user.created", now=now - 200)
    with pytest.raises(ValueError, match="tolerance"):
        client.webhooks.verify_header(
            event_body=stale.body, event_signature=stale.headers[HEADER], secret=WEBHOOK_SECRET
        )
    assert verify(host, stale, now).reason == "timestamp too old"


def test_the_provider_verifies_the_sdks_signature(
    host: PluginHost, client: workos.WorkOSClient
) -> None:
    # workos-python signs AuthKit Actions responses exactly as WorkOS signs webhooks:
    # hex HMAC-SHA256 of "<ms timestamp>.<compact JSON>" with the secret
    signed = client.actions.sign_response(
        action_type="authentication", verdict="Allow", secret=WEBHOOK_SECRET
    )
    payload = signed["payload"]
    body = json.dumps(payload, separators=(",", ":")).encode()
    header = f"t={payload['timestamp']}, v1={signed['signature']}"
    assert verify(host, delivery(header, body), time.time()).success
    assert not verify(host, delivery(header, body + b" "), time.time()).success
    wrong = verify_request(host, "workos", delivery(header, body), ["other"], now=time.time())
    assert not wrong.success and wrong.reason == "signature mismatch"


def test_the_header_is_milliseconds_with_a_spaced_pair(host: PluginHost) -> None:
    body = b'{"event":"user.created"}'
    signed = hookpoint_workos.SIGNATURE.sign(delivery(None, body), WEBHOOK_SECRET, TS_MS / 1000)
    expected = sign_hex(WEBHOOK_SECRET, f"{TS_MS}.".encode() + body)
    assert signed.headers[HEADER] == f"t={TS_MS}, v1={expected}"
    assert verify(host, delivery(f"t={TS_MS},v1={expected}", body), TS_MS / 1000).success
    # a timestamp in seconds is not WorkOS's: read as milliseconds it is 1970
    seconds = (
        f"t={TS_MS // 1000}, v1={sign_hex(WEBHOOK_SECRET, f'{TS_MS // 1000}.'.encode() + body)}"
    )
    assert verify(host, delivery(seconds, body), TS_MS / 1000).reason == "timestamp too old"


@pytest.mark.parametrize(
    ("offset", "ok"),
    [(-181, False), (-180, True), (0, True), (179.9, True), (180, True), (180.5, False)],
)
def test_tolerance_is_180_seconds_both_ways(host: PluginHost, offset: float, ok: bool) -> None:
    signed = sign_sample(host, "workos", "user.created", now=TS_MS / 1000)
    result = verify(host, signed, TS_MS / 1000 + offset)
    assert result.success is ok, result.reason


def test_tolerance_is_a_setting(host: PluginHost) -> None:
    signed = sign_sample(host, "workos", "user.created", now=TS_MS / 1000)
    assert not verify(host, signed, TS_MS / 1000 + 61, tolerance=60).success
    assert verify(host, signed, TS_MS / 1000 + 599, tolerance=600).success
    assert hookpoint_workos.WorkOSSettings().tolerance == 180


@pytest.mark.parametrize(
    "header", ["", "t=1700000000123", "v1=" + "0" * 64, "garbage", "t=x, v1=" + "0" * 64]
)
def test_malformed_headers_fail(host: PluginHost, header: str) -> None:
    result = verify(host, delivery(header), TS_MS / 1000)
    assert not result.success and result.reason


def test_event_types_are_the_sdks() -> None:
    assert set(hookpoint_workos.EVENT_TYPES) <= set(EventSchema._DISPATCH)


def test_describe(host: PluginHost) -> None:
    info = describe_request(host, "workos", sign_sample(host, "workos", "dsync.user.created"))
    assert info is not None
    assert (info.type, info.id) == ("dsync.user.created", "event_01E1JJYYVCPQNV6SE1M4H3MXXY")
    assert info.time is not None and info.time.isoformat() == "2023-11-18T04:18:13.126000+00:00"
    assert info.fields["object"] == "directory_user"
    assert info.fields["object_id"] == "directory_user_01E1X1B89NH8Z3SDFJR4H7RGX7"
    assert info.fields["directory_id"] == "directory_01ECAZ4NV9QMV47GW873HDCX74"
    assert info.fields["state"] == "active"


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("user.created", User),
        ("dsync.user.created", DirectoryUser),
        ("dsync.group.user_added", DirectoryMembership),
        ("connection.activated", Connection),
        ("organization_membership.created", OrganizationMembership),
    ],
)
def test_samples_parse_into_typed_data(host: PluginHost, name: str, model: type) -> None:
    data = json.loads(get_sample(host, "workos", name).body)
    data["brand_new"] = 1
    event = parse_payload(data)
    assert type(event.data) is model  # type: ignore[attr-defined]
    assert event.model_extra == {"brand_new": 1}


def test_model_fields_and_unknown_types(host: PluginHost) -> None:
    added = parse_payload(json.loads(get_sample(host, "workos", "dsync.group.user_added").body))
    data = added.data  # type: ignore[attr-defined]
    assert isinstance(data, DirectoryMembership) and data.group is not None
    assert (data.group.name, data.user.email if data.user else None) == (
        "Developers",
        "veda@example.com",
    )
    other = parse_payload({"event": "session.created", "data": {"object": "session", "id": "s"}})
    assert type(other.data) is WorkOSObject and other.data.id == "s"  # type: ignore[attr-defined]


def test_plugin_is_installed() -> None:
    record = load_plugins().provider_record("workos")
    assert (record.distribution, record.module) == ("hookpoint-workos", "hookpoint_workos")
