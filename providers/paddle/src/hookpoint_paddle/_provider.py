"""Paddle Billing's webhook signature and event description (see
https://developer.paddle.com/webhooks/signature-verification and paddle-python-sdk's
``Notifications.Verifier``).

``Paddle-Signature: ts=<unix>;h1=<hex>[;h1=<hex>…]`` where each ``h1`` is the hex HMAC-SHA256 of
``"{ts}:{raw body}"`` keyed with the notification destination's secret key **as is**
(``pdl_ntfset_…``). Several ``h1`` values appear during a secret rotation; one match is enough;
unknown keys are ignored (the SDK raises on them).

Tolerance: the SDK's default is 5 s, and so is Hookpoint's, applied in both directions. That is
tight: a host clock more than 5 s off rejects every delivery (Paddle retries, and the retry fails
the same way). Keep the host on NTP, or raise ``tolerance`` (e.g. 60) knowingly: it widens the
window in which a captured delivery can be replayed (the dedupe id still suppresses repeats).
Paddle Classic (``p_signature`` form posts, RSA) is a different scheme and not covered.
"""

from __future__ import annotations

from hookpoint.providerkit import (
    EventSpec,
    PairHeaderSignature,
    ProviderSettings,
    SignedTemplate,
    tolerance_field,
)

__all__ = ["DEFAULT_TOLERANCE", "EVENT", "EVENT_TYPES", "SIGNATURE", "PaddleSettings"]

DEFAULT_TOLERANCE = 5
SIGNATURE = PairHeaderSignature(
    "Paddle-Signature",
    SignedTemplate("{timestamp}:{body}"),
    timestamp_key="ts",
    signature_key="h1",
    pair_sep=";",
    tolerance=DEFAULT_TOLERANCE,
)

EVENT = EventSpec(
    type=("body:event_type",),
    id=("body:event_id",),
    time=("body:occurred_at",),
    fields={
        "notification_id": "body:notification_id",
        "data_id": "body:data.id",
        "status": "body:data.status",
        "customer_id": "body:data.customer_id",
    },
)

# https://developer.paddle.com/webhooks/overview (event types).
EVENT_TYPES: tuple[str, ...] = (
    "address.created",
    "address.imported",
    "address.updated",
    "adjustment.created",
    "adjustment.updated",
    "business.created",
    "business.imported",
    "business.updated",
    "customer.created",
    "customer.imported",
    "customer.updated",
    "discount.created",
    "discount.imported",
    "discount.updated",
    "payout.created",
    "payout.paid",
    "price.created",
    "price.imported",
    "price.updated",
    "product.created",
    "product.imported",
    "product.updated",
    "report.created",
    "report.updated",
    "subscription.activated",
    "subscription.canceled",
    "subscription.created",
    "subscription.imported",
    "subscription.past_due",
    "subscription.paused",
    "subscription.resumed",
    "subscription.trialing",
    "subscription.updated",
    "transaction.billed",
    "transaction.canceled",
    "transaction.completed",
    "transaction.created",
    "transaction.paid",
    "transaction.past_due",
    "transaction.payment_failed",
    "transaction.ready",
    "transaction.updated",
)


class PaddleSettings(ProviderSettings):
    """Settings of a Paddle endpoint (the destination's secret key goes in ``secrets=``)."""

    tolerance: float = tolerance_field(DEFAULT_TOLERANCE)
