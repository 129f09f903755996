"""cal.com deliveries for tests: a body shaped like the plugin's samples and its signed headers."""

from __future__ import annotations

import hashlib
import hmac
import json


def cal_body(uid: str = "uid-1", trigger: str = "BOOKING_CREATED", title: str = "Meeting") -> bytes:
    """A compact cal.com envelope; distinct ``uid`` values are distinct deliveries (dedupe)."""
    return json.dumps(
        {
            "triggerEvent": trigger,
            "createdAt": "2026-11-27T10:00:00.000Z",
            "payload": {"uid": uid, "title": title},
        },
        separators=(",", ":"),
    ).encode()


def cal_headers(body: bytes, secret: str, **extra: str) -> dict[str, str]:
    """The headers cal.com sends with ``body``, signed with ``secret``, plus ``extra``."""
    return {
        "Content-Type": "application/json",
        "X-Cal-Signature-256": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
        "X-Cal-Webhook-Version": "2021-10-20",
        **extra,
    }
