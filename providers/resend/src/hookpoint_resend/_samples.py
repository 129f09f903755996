"""Sample Resend deliveries: ``email.sent``, ``email.delivered``, ``email.bounced`` and
``email.clicked`` with the example payloads Resend publishes
(https://resend.com/docs/dashboard/webhooks/event-types and the per-event pages under
https://resend.com/docs/webhooks), sent with ``svix-*`` headers.
"""

from __future__ import annotations

from typing import Any

from hookpoint import Sample

from ._provider import SCHEME

__all__ = ["SAMPLES", "SIGNING_SECRET"]

SIGNING_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # noqa: S105 - Svix's example secret

_EMAIL = {
    "created_at": "2024-02-22T23:41:11.894719+00:00",
    "email_id": "56761188-7520-42d8-8898-ff6fc54ce618",
    "from": "Acme <onboarding@resend.dev>",
    "to": ["delivered@resend.dev"],
    "subject": "Sending this example",
    "tags": {"category": "confirm_email"},
}


def _event(kind: str, created_at: str, **data: Any) -> dict[str, Any]:
    return {"type": kind, "created_at": created_at, "data": {**_EMAIL, **data}}


_BOUNCE = {
    "message": "The recipient's email address is on the suppression list because it has a "
    "history of producing hard bounces.",
    "subType": "Suppressed",
    "type": "Permanent",
}
_CLICK = {
    "ipAddress": "122.115.53.11",
    "link": "https://resend.com",
    "timestamp": "2024-11-24T05:00:57.163Z",
    "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Version/16.1 Safari/605.1.15",
}

# (event type, svix-id, body created_at, extra data, what happened)
_EXAMPLES: tuple[tuple[str, str, str, dict[str, Any], str], ...] = (
    (
        "email.sent",
        "msg_2ZwA0dRHc3fFhFj8Yc5QY9zxX1a",
        "2024-02-22T23:41:12.126Z",
        {},
        "the API accepted an email",
    ),
    (
        "email.delivered",
        "msg_2ZwA0dRHc3fFhFj8Yc5QY9zxX1b",
        "2024-02-22T23:41:12.126Z",
        {},
        "an email was delivered",
    ),
    (
        "email.bounced",
        "msg_2ZwA0dRHc3fFhFj8Yc5QY9zxX1c",
        "2024-11-22T23:41:12.126Z",
        {"bounce": _BOUNCE},
        "an email bounced for good",
    ),
    (
        "email.clicked",
        "msg_2ZwA0dRHc3fFhFj8Yc5QY9zxX1d",
        "2024-11-22T23:41:12.126Z",
        {"click": _CLICK},
        "a link in an email was clicked",
    ),
)

SAMPLES: tuple[Sample, ...] = tuple(
    SCHEME.sample(
        kind,
        msg_id,
        _event(kind, created_at, **data),
        secret=SIGNING_SECRET,
        description=f"{about} (Resend's example payload)",
    )
    for kind, msg_id, created_at, data, about in _EXAMPLES
)
