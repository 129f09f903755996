"""SendGrid signed Event Webhook: ECDSA verification and event description.

SendGrid signs ``X-Twilio-Email-Event-Webhook-Timestamp + raw body`` with ECDSA P-256 /
SHA-256 and sends the base64 DER signature in ``X-Twilio-Email-Event-Webhook-Signature``. The
endpoint's secret is the **verification key** SendGrid shows under Settings → Mail Settings →
Event Webhook → Signature Verification (base64 DER SubjectPublicKeyInfo). The body is a JSON
array that ends with ``\\r\\n``: it is verified as received, never trimmed. SendGrid's SDK checks
no time, and neither does this plugin by default (the timestamp is still signed and required);
the ``tolerance`` setting bounds it both ways.
"""

from __future__ import annotations

import hashlib
from typing import Any

from hookpoint import EventInfo, WebhookRequest
from hookpoint.providerkit import (
    EventSpec,
    ProviderSettings,
    TimestampedKeySignature,
    optional_tolerance_field,
    text,
    to_datetime,
)

__all__ = [
    "EVENT_TYPES",
    "SIGNATURE",
    "SendGridSettings",
    "describe",
]

SIGNATURE = TimestampedKeySignature(
    algorithm="ecdsa-p256-sha256",
    signature_header="X-Twilio-Email-Event-Webhook-Signature",
    timestamp_header="X-Twilio-Email-Event-Webhook-Timestamp",
    encoding="base64",
)

# https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event
EVENT_TYPES: tuple[str, ...] = (
    "processed",
    "dropped",
    "delivered",
    "deferred",
    "bounce",
    "open",
    "click",
    "spamreport",
    "unsubscribe",
    "group_unsubscribe",
    "group_resubscribe",
)

EVENT = EventSpec()


class SendGridSettings(ProviderSettings):
    """Settings of a SendGrid endpoint; the verification key goes in ``secrets=``."""

    tolerance: float | None = optional_tolerance_field(
        what="X-Twilio-Email-Event-Webhook-Timestamp"
    )


def _events(request: WebhookRequest) -> list[dict[str, Any]]:
    try:
        data = request.json()
    except ValueError:
        return []
    return [e for e in data if isinstance(e, dict)] if isinstance(data, list) else []


def describe(request: WebhookRequest, settings: SendGridSettings) -> EventInfo:
    """A delivery is a batch. ``type`` = the events' ``event`` when they all share one (None for
    a mixed batch: ``fields.event_types`` lists them); ``id`` = the ``sg_event_id`` of a single
    event, a hash of all of them for a batch (a retry resends the same batch); ``time`` = the
    first event's ``timestamp``."""
    events = _events(request)
    kinds = list(dict.fromkeys(k for k in (text(e.get("event")) for e in events) if k))
    ids = [i for i in (text(e.get("sg_event_id")) for e in events) if i]
    event_id = None
    if len(ids) == 1:
        event_id = ids[0]
    elif ids:
        event_id = "batch:" + hashlib.sha256(",".join(ids).encode()).hexdigest()
    extra = {
        "event_types": kinds,
        "count": len(events),
        "sg_event_ids": ids[:100],
        "sg_message_ids": list(
            dict.fromkeys(m for m in (text(e.get("sg_message_id")) for e in events) if m)
        )[:100],
    }
    when = to_datetime(events[0].get("timestamp")) if events else None
    overrides: dict[str, Any] = {"type": kinds[0] if len(kinds) == 1 else None, "time": when}
    if event_id is not None:
        overrides["id"] = event_id
    return EVENT.describe(request, extra=extra, **overrides)
