"""Sample Clerk deliveries: ``user.created``, ``session.created`` and ``organization.created``
with the example payloads Clerk publishes for them (Dashboard → Webhooks → Testing, and
https://clerk.com/docs/guides/development/webhooks/overview), sent with ``svix-*`` headers.
"""

from __future__ import annotations

from typing import Any

from hookpoint import Sample

from ._provider import SCHEME

__all__ = ["SAMPLES", "SIGNING_SECRET"]

SIGNING_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # noqa: S105 - Svix's example secret

_ATTRIBUTES = {
    "http_request": {
        "client_ip": "0.0.0.0",  # noqa: S104 - an IP in an example payload
        "user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36",
    }
}


def _event(kind: str, timestamp: int, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "data": data,
        "event_attributes": _ATTRIBUTES,
        "instance_id": "ins_123",
        "object": "event",
        "timestamp": timestamp,
        "type": kind,
    }


_USER = {
    "birthday": "",
    "created_at": 1654012591514,
    "email_addresses": [
        {
            "email_address": "example@example.org",
            "id": "idn_29w83yL7CwVlJXylYLxcslromF1",
            "linked_to": [],
            "object": "email_address",
            "verification": {"status": "verified", "strategy": "ticket"},
        }
    ],
    "external_accounts": [],
    "external_id": None,
    "first_name": "Example",
    "gender": "",
    "id": "user_29w83sxmDNGwOuEthce5gg56FcC",
    "image_url": "https://img.clerk.com/xxxxxx",
    "last_name": "Example",
    "last_sign_in_at": 1654012591514,
    "object": "user",
    "password_enabled": True,
    "phone_numbers": [],
    "primary_email_address_id": "idn_29w83yL7CwVlJXylYLxcslromF1",
    "primary_phone_number_id": None,
    "private_metadata": {},
    "public_metadata": {},
    "two_factor_enabled": False,
    "unsafe_metadata": {},
    "updated_at": 1654012591835,
    "username": None,
}
_SESSION = {
    "abandon_at": 1656606318265,
    "client_id": "client_29wBS3h1zhE1BsEK2dg9oyypfYk",
    "created_at": 1654014318265,
    "expire_at": 1654619118265,
    "id": "sess_29wBYxnMCQU2KIs6V3ZPOJCPUXx",
    "last_active_at": 1654014318265,
    "object": "session",
    "status": "active",
    "updated_at": 1654014318503,
    "user_id": "user_29wBMCtzATuFJut8jO2VNTVekS4",
}
_ORGANIZATION = {
    "created_at": 1654013202977,
    "created_by": "user_1vq84bqWzw7qmFgqSwN4CH1Wp0n",
    "id": "org_29w9IfBrPmcpi0IeBVaKtA7R94W",
    "image_url": "https://img.clerk.com/xxxxxx",
    "logo_url": "https://example.org/example.png",
    "name": "Acme Inc",
    "object": "organization",
    "public_metadata": {},
    "slug": "acme-inc",
    "updated_at": 1654013202977,
}

# (event type, svix-id, body timestamp in ms, data, what happened)
_EXAMPLES = (
    ("user.created", "msg_2Zv9D6y0bFq6ZbJq0XQp1Kx3wYh", 1654012591835, _USER, "a user signed up"),
    ("session.created", "msg_2ZvA7Ugz3v0eWmT8yB5cQeN1pLs", 1654014318503, _SESSION, "a sign-in"),
    (
        "organization.created",
        "msg_2ZvB1kX8s6JrPq4dH0wVtYc9mEa",
        1654013202977,
        _ORGANIZATION,
        "an organization was created",
    ),
)

SAMPLES: tuple[Sample, ...] = tuple(
    SCHEME.sample(
        kind,
        msg_id,
        _event(kind, timestamp, data),
        secret=SIGNING_SECRET,
        description=f"{about} (Clerk's example payload)",
    )
    for kind, msg_id, timestamp, data, about in _EXAMPLES
)
