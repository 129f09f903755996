"""Sample Standard Webhooks deliveries: the spec's test vector, the spec's example payload,
Clerk's ``user.created`` and Resend's ``email.delivered`` (both Svix-delivered, ``svix-*``
headers) after their docs, and an asymmetric ``v1a`` (Ed25519) delivery.

Sources: https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md,
https://clerk.com/docs/webhooks/overview, https://resend.com/docs/dashboard/webhooks/event-types.
"""

from __future__ import annotations

from typing import Any

from hookpoint import Sample
from hookpoint.providerkit import compact_json

__all__ = ["ED25519_PRIVATE_KEY", "ED25519_PUBLIC_KEY", "SAMPLES", "VECTOR_SECRET"]

VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # noqa: S105 - the spec's test vector
# RFC 8032 §7.1 TEST 1 key pair, base64 with the Standard Webhooks prefixes.
ED25519_PRIVATE_KEY = "whsk_nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A="
ED25519_PUBLIC_KEY = "whpk_11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="


def _sample(
    name: str,
    msg_id: str,
    body: bytes,
    *,
    kind: str | None = None,
    svix: bool = False,
    **extra: Any,
) -> Sample:
    prefix = "svix" if svix else "webhook"
    return Sample(
        name=name,
        description=extra.pop("description", ""),
        headers={"Content-Type": "application/json", f"{prefix}-id": msg_id},
        body=body,
        secret=extra.pop("secret", VECTOR_SECRET),
        event_type=kind,
        settings={"header_style": prefix},
        **extra,
    )


_CLERK_USER = {
    "data": {
        "birthday": "",
        "created_at": 1654012591514,
        "external_id": None,
        "email_addresses": [
            {
                "email_address": "example@example.org",
                "id": "idn_29w83yL7CwVlJXylYLxcslromF1",
                "object": "email_address",
                "verification": {"status": "verified", "strategy": "ticket"},
            }
        ],
        "first_name": "Example",
        "id": "user_29w83sxmDNGwOuEthce5gg56FcC",
        "image_url": "https://img.clerk.com/xxxxxx",
        "last_name": "Example",
        "object": "user",
        "primary_email_address_id": "idn_29w83yL7CwVlJXylYLxcslromF1",
        "public_metadata": {},
        "updated_at": 1654012591835,
        "username": None,
    },
    "event_attributes": {
        "http_request": {"client_ip": "192.0.2.10", "user_agent": "Mozilla/5.0 (Macintosh)"}
    },
    "instance_id": "ins_123",
    "object": "event",
    "timestamp": 1654012591835,
    "type": "user.created",
}
_RESEND_DELIVERED = {
    "type": "email.delivered",
    "created_at": "2024-02-22T23:41:12.126Z",
    "data": {
        "created_at": "2024-02-22T23:41:11.894719+00:00",
        "email_id": "56761188-7520-42d8-8898-ff6fc54ce618",
        "from": "Acme <onboarding@resend.dev>",
        "subject": "Sending this example",
        "to": ["delivered@resend.dev"],
        "tags": {"category": "confirm_email"},
    },
}
_SPEC_EXAMPLE: dict[str, Any] = {
    "type": "contact.created",
    "timestamp": "2022-11-03T20:26:10.344522Z",
    "data": {"id": "1f81eb52-5198-4599-803e-771906343485", "type": "contact", "name": "Jane Doe"},
}

SAMPLES: tuple[Sample, ...] = (
    _sample(
        "stdwh-sign",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        b'{"test": 2432232314}',
        description="the spec's test vector body and secret",
    ),
    _sample(
        "contact.created",
        "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
        compact_json(_SPEC_EXAMPLE),
        kind="contact.created",
        description="the spec's example payload",
    ),
    _sample(
        "clerk.user.created",
        "msg_2Zv9D6y0bFq6ZbJq0XQp1Kx3wYh",
        compact_json(_CLERK_USER),
        kind="user.created",
        svix=True,
        description="Clerk user.created (svix-* headers)",
    ),
    _sample(
        "resend.email.delivered",
        "msg_2ZwA0dRHc3fFhFj8Yc5QY9zxX1b",
        compact_json(_RESEND_DELIVERED),
        kind="email.delivered",
        svix=True,
        description="Resend email.delivered (svix-* headers)",
    ),
    _sample(
        "ed25519.v1a",
        "msg_2ZwB6m0Pj1v7m3QeXyq2QW8pB6A",
        compact_json(_SPEC_EXAMPLE),
        kind="contact.created",
        secret=ED25519_PRIVATE_KEY,
        verify_secret=ED25519_PUBLIC_KEY,
        description="asymmetric v1a: signed with a whsk_ key, verified with whpk_",
    ),
)
