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

from hookpoint.providerkit import (
    ArrayBatchSpec,
    ProviderSettings,
    TimestampedKeySignature,
    optional_tolerance_field,
)

__all__ = [
    "EVENT",
    "EVENT_TYPES",
    "SIGNATURE",
    "SendGridSettings",
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

EVENT = ArrayBatchSpec(
    type="event",
    id="sg_event_id",
    time="timestamp",
    max_items=None,
    ids_field="sg_event_ids",
    item_fields={"sg_message_ids": "sg_message_id"},
)
"""A delivery is a batch, a body that is itself an array (``ArrayBatchSpec``'s defaults).
``type`` = the events' ``event`` when they all share one (None for a mixed batch:
``fields.event_types`` lists them); ``id`` = the ``sg_event_id`` of a single
event, a hash of all of them for a batch (a retry resends the same batch); ``time`` = the
first event's ``timestamp``; ``count``, ``sg_event_ids`` and ``sg_message_ids`` as fields."""


class SendGridSettings(ProviderSettings):
    """Settings of a SendGrid endpoint; the verification key goes in ``secrets=``."""

    tolerance: float | None = optional_tolerance_field(
        what="X-Twilio-Email-Event-Webhook-Timestamp"
    )
