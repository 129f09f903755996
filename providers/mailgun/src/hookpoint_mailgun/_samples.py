"""Sample Mailgun deliveries, shaped after Mailgun's webhook event examples.

Mailgun puts its signature *in the body* (``signature.timestamp/token/signature``), so each
sample body is written already signed with :data:`SAMPLE_SIGNING_KEY` at ``1700000000`` (the
conformance kit's clock): the sign hook finds nothing to change.
"""

from __future__ import annotations

from urllib.parse import urlencode

from hookpoint import Sample, signing

__all__ = ["DELIVERED", "FAILED", "LEGACY_FORM", "SAMPLES", "SAMPLE_SIGNING_KEY"]

SAMPLE_SIGNING_KEY = "key-test-signing-key"
_TIMESTAMP = "1700000000"


def _signature(token: str) -> str:
    return signing.sign_hex(SAMPLE_SIGNING_KEY, (_TIMESTAMP + token).encode())


def _json(token: str, event_data: bytes) -> bytes:
    return (
        b'{"signature":{"timestamp":"'
        + _TIMESTAMP.encode()
        + b'","token":"'
        + token.encode()
        + b'","signature":"'
        + _signature(token).encode()
        + b'"},"event-data":'
        + event_data
        + b"}"
    )


DELIVERED = _json(
    "e0b5477167110d68991efc6b9f89f0a11066af27834600e123",
    b'{"id":"CPgfbmQMTCKtHW6uIWtuVe","timestamp":1699999998.312,"log-level":"info",'
    b'"event":"delivered","delivery-status":{"tls":true,"mx-host":"smtp-in.example.com",'
    b'"code":250,"description":"","session-seconds":0.43,"attempt-no":1,'
    b'"message":"OK"},"flags":{"is-routed":false,"is-authenticated":true,'
    b'"is-system-test":false,"is-test-mode":false},"envelope":{"transport":"smtp",'
    b'"sender":"bob@mg.example.com","sending-ip":"209.61.154.250",'
    b'"targets":"alice@example.com"},"message":{"headers":{"to":"Alice <alice@example.com>",'
    b'"message-id":"20240502091245.1.ABCDEF@mg.example.com","from":"Bob <bob@mg.example.com>",'
    b'"subject":"Your invoice #4711"},"attachments":[],"size":4211},'
    b'"recipient":"alice@example.com","recipient-domain":"example.com","storage":{'
    b'"url":"https://storage-us-east4.api.mailgun.net/v3/domains/mg.example.com/messages/AgEFx",'
    b'"key":"AgEFx"},"campaigns":[],"tags":["invoice"],"user-variables":{"invoice":"4711"}}',
)

FAILED = _json(
    "0a9c3f4e8b7d6c5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b",
    b'{"id":"G9Bn5sl1TC6nu79C8C0bwg","timestamp":1699999940.07,"log-level":"error",'
    b'"event":"failed","severity":"permanent","reason":"suppress-bounce",'
    b'"delivery-status":{"attempt-no":1,"message":"","code":605,'
    b'"description":"Not delivering to previously bounced address","session-seconds":0.0},'
    b'"flags":{"is-routed":false,"is-authenticated":true,"is-system-test":false,'
    b'"is-test-mode":false},"envelope":{"sender":"bob@mg.example.com","transport":"smtp",'
    b'"targets":"nobody@example.com"},"message":{"headers":{"to":"nobody@example.com",'
    b'"message-id":"20240502091300.1.FEDCBA@mg.example.com","from":"bob@mg.example.com",'
    b'"subject":"Welcome"},"attachments":[],"size":1024},"recipient":"nobody@example.com",'
    b'"recipient-domain":"example.com","campaigns":[],"tags":[],"user-variables":{}}',
)

_LEGACY_TOKEN = "5c8f2a1e9d7b4c3a6f0e8d2b1a9c7e5f3d1b9a7c5e3f1d9b7a"  # noqa: S105
LEGACY_FORM = urlencode(
    [
        ("event", "delivered"),
        ("recipient", "alice@example.com"),
        ("domain", "mg.example.com"),
        ("Message-Id", "<20240502091245.1.ABCDEF@mg.example.com>"),
        ("timestamp", _TIMESTAMP),
        ("token", _LEGACY_TOKEN),
        ("signature", _signature(_LEGACY_TOKEN)),
    ]
).encode()

_JSON = {"Content-Type": "application/json", "User-Agent": "mailgun/treq-16.12.0"}

SAMPLES: tuple[Sample, ...] = (
    Sample(
        name="delivered",
        description="A message was delivered (JSON webhook)",
        headers=_JSON,
        body=DELIVERED,
        secret=SAMPLE_SIGNING_KEY,
        event_type="delivered",
    ),
    Sample(
        name="failed_permanent",
        description="A permanent failure: the address bounced before",
        headers=_JSON,
        body=FAILED,
        secret=SAMPLE_SIGNING_KEY,
        event_type="failed",
    ),
    Sample(
        name="legacy_form",
        description="A legacy (form-encoded) webhook: the signature fields are form fields",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=LEGACY_FORM,
        secret=SAMPLE_SIGNING_KEY,
        event_type="delivered",
    ),
)
