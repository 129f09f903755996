"""Mailgun provider: a known-answer vector, JSON/form/multipart bodies, tolerance, parent
signatures, signing, event description and models."""

from __future__ import annotations

import hmac
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import pytest

import hookpoint_mailgun
from hookpoint import WebhookRequest
from hookpoint.testing import (
    TEST_NOW,
    PluginHost,
    describe_request,
    plugin_host,
    verify_request,
)
from hookpoint_mailgun import MailgunWebhook, parse_payload
from hookpoint_mailgun._samples import DELIVERED, FAILED, LEGACY_FORM

# Known-answer vector "mailgun-signature".
KEY = "key-test-signing-key"
TIMESTAMP = "1770920772"
TOKEN = "e0b5477167110d68991efc6b9f89f0a11066af27834600e123"
SIGNATURE = "05da75aae5916ef0aa2d4f09360b089f722764250e30fa45d13f5a610525cff1"
VECTOR_NOW = 1770920772.0
URL = "https://hooks.example.com/webhooks/mailgun"
JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def vector_body(signature: str = SIGNATURE, timestamp: str = TIMESTAMP) -> bytes:
    return json.dumps(
        {
            "signature": {"timestamp": timestamp, "token": TOKEN, "signature": signature},
            "event-data": {
                "event": "opened",
                "id": "Ase7i2zsRYeDXztHGENqRA",
                "timestamp": 1770920770.5,
            },
        }
    ).encode()


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(hookpoint_mailgun.PLUGIN)


def request(body: bytes, headers: dict[str, str] | None = None) -> WebhookRequest:
    return WebhookRequest(url=URL, headers=JSON if headers is None else headers, body=body)


def verify(
    host: PluginHost,
    req: WebhookRequest,
    secrets: list[str] | None = None,
    now: float = VECTOR_NOW,
    **values: Any,
) -> Any:
    return verify_request(
        host, "mailgun", req, [KEY] if secrets is None else secrets, now=now, settings=values
    )


def test_vector_verifies(host: PluginHost) -> None:
    assert verify(host, request(vector_body())).success


def test_vector_rejected_with_one_byte_changed(host: PluginHost) -> None:
    wrong = SIGNATURE[:-1] + "0"
    assert verify(host, request(vector_body(wrong))).reason == "signature mismatch"
    assert not verify(host, request(vector_body(timestamp="1770920773"))).success


def test_vector_algorithm() -> None:
    assert hmac.digest(KEY.encode(), (TIMESTAMP + TOKEN).encode(), "sha256").hex() == SIGNATURE


NINE_HOURS = 9 * 3600


@pytest.mark.parametrize(
    ("offset", "ok"),
    [
        (-NINE_HOURS - 1, False),
        (-NINE_HOURS + 1, True),
        (NINE_HOURS - 1, True),
        (NINE_HOURS + 1, False),
    ],
)
def test_tolerance_both_directions(host: PluginHost, offset: int, ok: bool) -> None:
    """Nine hours by default: Mailgun retries one signature block for ~8 h."""
    assert verify(host, request(vector_body()), now=VECTOR_NOW + offset).success is ok


def test_tolerance_setting(host: PluginHost) -> None:
    body = request(vector_body())
    assert verify(host, body, now=VECTOR_NOW + 61, tolerance=60).reason == "timestamp too old"
    assert verify(host, body, now=VECTOR_NOW - 61, tolerance=60).reason == (
        "timestamp in the future"
    )
    assert verify(host, body, now=VECTOR_NOW + 3000, tolerance=3600).success


def test_missing_and_malformed(host: PluginHost) -> None:
    assert verify(host, request(b'{"event-data":{}}')).reason == "missing signature header"
    assert verify(host, request(vector_body()), secrets=[]).reason == "no secret configured"
    no_token = json.dumps({"signature": {"timestamp": TIMESTAMP, "signature": SIGNATURE}})
    assert not verify(host, request(no_token.encode())).success
    numeric = json.dumps(
        {"signature": {"timestamp": int(TIMESTAMP), "token": TOKEN, "signature": SIGNATURE}}
    ).encode()
    assert verify(host, request(numeric)).success


def test_rotation(host: PluginHost) -> None:
    assert verify(host, request(vector_body()), secrets=["new-key", KEY]).success
    assert not verify(host, request(vector_body()), secrets=["new-key"]).success


def test_parent_signature(host: PluginHost) -> None:
    """A subaccount's event: ``parent-signature`` sits in the signature object, the same HMAC
    over the same timestamp and token made with the parent account's key."""
    parent_key = "key-parent-account"
    parent = hmac.digest(parent_key.encode(), (TIMESTAMP + TOKEN).encode(), "sha256").hex()
    data = json.loads(vector_body())
    data["signature"]["parent-signature"] = parent
    body = json.dumps(data).encode()
    assert verify(host, request(body), secrets=[parent_key]).success  # the parent's key alone
    assert verify(host, request(body), secrets=[KEY]).success  # the subaccount's key too
    parsed = parse_payload(json.loads(body))
    assert parsed.signature is not None and parsed.signature.parent_signature == parent
    data["signature"]["parent-signature"] = "00" * 32
    forged = json.dumps(data).encode()
    assert verify(host, request(forged), secrets=[parent_key]).reason == "signature mismatch"
    # the parent signature covers the block's own timestamp: a stale block stays stale
    late = verify(host, request(body), secrets=[parent_key], now=VECTOR_NOW + NINE_HOURS + 1)
    assert late.reason == "timestamp too old"


def test_form_bodies(host: PluginHost) -> None:
    assert verify(host, request(LEGACY_FORM, FORM), now=TEST_NOW).success
    changed = LEGACY_FORM.replace(b"token=5", b"token=6")
    assert not verify(host, request(changed, FORM), now=TEST_NOW).success


def test_multipart_route_body(host: PluginHost) -> None:
    fields = dict(parse_qsl(LEGACY_FORM.decode()))
    boundary = "XyZ"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
        for k, v in [
            ("sender", "bob@example.com"),
            ("subject", "Hi"),
            ("timestamp", fields["timestamp"]),
            ("token", fields["token"]),
            ("signature", fields["signature"]),
        ]
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachment-1"; '
        'filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n'
    )
    body = ("".join(parts) + f"--{boundary}--\r\n").encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    req = request(body, headers)
    assert verify(host, req, now=TEST_NOW).success
    info = describe_request(host, "mailgun", req)
    assert info is not None and info.type == "inbound"
    stale = TEST_NOW + NINE_HOURS + 1
    assert not verify(host, request(body.replace(b"Hi", b"Ho"), headers), now=stale).success
    assert info.id == fields["token"]


def test_sign_rewrites_the_signature_object(host: PluginHost) -> None:
    settings = host.settings_for("mailgun", {})
    same = request(DELIVERED)
    assert host.sign("mailgun", same, settings, KEY, TEST_NOW) is same
    later = host.sign("mailgun", same, settings, KEY, TEST_NOW + 60)
    assert later is not None and later.body != DELIVERED
    signature = json.loads(later.body)["signature"]
    assert signature["timestamp"] == str(int(TEST_NOW + 60))
    assert signature["token"] == json.loads(DELIVERED)["signature"]["token"]
    assert verify(host, later, now=TEST_NOW + 60).success
    form = host.sign("mailgun", request(LEGACY_FORM, FORM), settings, "other", TEST_NOW)
    assert form is not None and verify(host, form, secrets=["other"], now=TEST_NOW).success


def describe(host: PluginHost, req: WebhookRequest) -> Any:
    return describe_request(host, "mailgun", req)


def test_describe_json(host: PluginHost) -> None:
    info = describe(host, request(DELIVERED))
    token = json.loads(DELIVERED)["signature"]["token"]
    assert (info.type, info.id) == ("delivered", token)
    assert info.fields["event_data_id"] == "CPgfbmQMTCKtHW6uIWtuVe"
    assert info.time == datetime.fromtimestamp(1699999998.312, UTC)
    assert info.fields["message_id"] == "20240502091245.1.ABCDEF@mg.example.com"
    assert info.fields["tags"] == ["invoice"]
    failed = describe(host, request(FAILED))
    assert failed.type == "failed" and failed.fields["severity"] == "permanent"


def test_describe_form(host: PluginHost) -> None:
    info = describe(host, request(LEGACY_FORM, FORM))
    assert info.type == "delivered"
    assert info.id == dict(parse_qsl(LEGACY_FORM.decode()))["token"]
    assert info.time == datetime.fromtimestamp(TEST_NOW, UTC)


def test_models() -> None:
    event = parse_payload(json.loads(DELIVERED))
    assert isinstance(event, MailgunWebhook) and event.event_data is not None
    data = event.event_data
    assert data.delivery_status is not None and data.delivery_status.mx_host == (
        "smtp-in.example.com"
    )
    assert data.message is not None and data.message.message_id == (
        "20240502091245.1.ABCDEF@mg.example.com"
    )
    assert data.user_variables == {"invoice": "4711"}
    assert data.model_extra is not None and "storage" in data.model_extra
    assert event.signature is not None and event.signature.timestamp == "1700000000"
    with pytest.raises(ValueError, match="JSON object"):
        parse_payload([])


def test_a_replayed_signature_block_is_a_duplicate_whatever_its_event_data(
    host: PluginHost,
) -> None:
    """Mailgun signs timestamp + token, not the event: a captured block with forged event data
    verifies, so the dedupe id is the signed token (the host then stores it as a duplicate and
    starts no run). The event's own id stays filterable as ``event_data_id``."""
    genuine = json.loads(DELIVERED)
    forged = json.loads(DELIVERED)
    forged["event-data"]["id"] = "FORGED-1"
    forged["event-data"]["event"] = "complained"
    forged_request = request(json.dumps(forged).encode())
    assert verify(host, forged_request, now=TEST_NOW + 600).success
    assert describe(host, forged_request).id == describe(host, request(DELIVERED)).id
    assert describe(host, forged_request).id == genuine["signature"]["token"]


def test_multipart_bodies_are_scanned_not_parsed_by_the_email_parser() -> None:
    """The signature fields are read before verification, for anyone: 5 MiB of tiny parts, or
    one part with a header folded 100,000 times, took the email parser seconds to minutes.
    The scanner reads at most 1,000 parts and skips parts with oversized headers."""
    from hookpoint_mailgun._provider import _multipart_fields

    headers = {"Content-Type": "multipart/form-data; boundary=B"}
    part = b'--B\r\nContent-Disposition: form-data; name="f"\r\n\r\nx\r\n'
    many = part * 100_000 + b"--B--\r\n"
    assert _multipart_fields(request(many, headers)) == {"f": "x"}
    folded = b"--B\r\nContent-Disposition: form-data" + b";\r\n a=b" * 100_000
    folded += b'; name="token"\r\n\r\nx\r\n--B--\r\n'
    assert _multipart_fields(request(folded, headers)) == {}
    quoted = {"Content-Type": 'multipart/form-data; boundary="XyZ"'}
    one = b'--XyZ\r\nContent-Disposition: form-data; name="token"\r\n\r\nabc\r\n--XyZ--\r\n'
    assert _multipart_fields(request(one, quoted)) == {"token": "abc"}
