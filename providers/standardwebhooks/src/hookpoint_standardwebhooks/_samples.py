"""Sample Standard Webhooks deliveries: the spec's test vector, the spec's example payload (with
``webhook-*`` and with Svix's ``svix-*`` headers), and an asymmetric ``v1a`` (Ed25519) delivery.

Source: https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md.
"""

from __future__ import annotations

from typing import Any

from hookpoint import Sample

from ._provider import SCHEME, SVIX

__all__ = ["ED25519_PRIVATE_KEY", "ED25519_PUBLIC_KEY", "SAMPLES", "VECTOR_SECRET"]

VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # noqa: S105 - the spec's test vector
# RFC 8032 §7.1 TEST 1 key pair, base64 with the Standard Webhooks prefixes.
ED25519_PRIVATE_KEY = "whsk_nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A="
ED25519_PUBLIC_KEY = "whpk_11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
_WEBHOOK = {"settings": {"header_style": "webhook"}}
_SVIX = {"settings": {"header_style": "svix"}}

_SPEC_EXAMPLE: dict[str, Any] = {
    "type": "contact.created",
    "timestamp": "2022-11-03T20:26:10.344522Z",
    "data": {"id": "1f81eb52-5198-4599-803e-771906343485", "type": "contact", "name": "Jane Doe"},
}

SAMPLES: tuple[Sample, ...] = (
    SCHEME.sample(
        "stdwh-sign",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        b'{"test": 2432232314}',
        secret=VECTOR_SECRET,
        description="the spec's test vector body and secret",
        **_WEBHOOK,
    ),
    SCHEME.sample(
        "contact.created",
        "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
        _SPEC_EXAMPLE,
        secret=VECTOR_SECRET,
        description="the spec's example payload",
        **_WEBHOOK,
    ),
    SVIX.sample(
        "svix.contact.created",
        "msg_2ZwA0dRHc3fFhFj8Yc5QY9zxX1b",
        _SPEC_EXAMPLE,
        secret=VECTOR_SECRET,
        description="the spec's example payload as Svix sends it (svix-* headers)",
        **_SVIX,
    ),
    SCHEME.sample(
        "ed25519.v1a",
        "msg_2ZwB6m0Pj1v7m3QeXyq2QW8pB6A",
        _SPEC_EXAMPLE,
        secret=ED25519_PRIVATE_KEY,
        verify_secret=ED25519_PUBLIC_KEY,
        description="asymmetric v1a: signed with a whsk_ key, verified with whpk_",
        **_WEBHOOK,
    ),
)
