"""Razorpay's webhook signature and event description.

https://razorpay.com/docs/webhooks/validate-test/ and razorpay-python's
``razorpay.Utility.verify_webhook_signature``: ``X-Razorpay-Signature`` is the lowercase hex
HMAC-SHA256 of the raw body, keyed with the **webhook secret** entered when the webhook was set
up (not the API key secret, which signs Checkout callbacks). Nothing time-bound is signed, so a
captured delivery can be replayed; ``x-razorpay-event-id`` (the same on every retry of one
event) is the dedupe id, so a replay within the endpoint's dedupe window starts no runs.

After a secret change Razorpay retries older deliveries signed with the old secret: keep both in
``secrets=`` until the retries are over (https://razorpay.com/docs/webhooks/payments/).
"""

from __future__ import annotations

from hookpoint.providerkit import EventSpec, HeaderSignature, HmacScheme, ProviderSettings

__all__ = ["EVENT", "EVENT_ID_HEADER", "EVENT_TYPES", "SIGNATURE", "RazorpaySettings"]

EVENT_ID_HEADER = "x-razorpay-event-id"

SIGNATURE = HeaderSignature("X-Razorpay-Signature", HmacScheme(algorithm="sha256", encoding="hex"))

EVENT = EventSpec(
    type=("body:event",),
    id=(f"header:{EVENT_ID_HEADER}",),
    time=("body:created_at",),
    fields={
        "account_id": "body:account_id",
        "contains": "body:contains",
        "payment_id": "body:payload.payment.entity.id",
        "order_id": "body:payload.order.entity.id",
        "payment_status": "body:payload.payment.entity.status",
        "refund_id": "body:payload.refund.entity.id",
        "subscription_id": "body:payload.subscription.entity.id",
    },
)

# https://razorpay.com/docs/webhooks/ (payments, orders, refunds, subscriptions, invoices,
# payment links, disputes, settlements, virtual accounts); unknown ones pass through.
EVENT_TYPES: tuple[str, ...] = (
    "payment.authorized",
    "payment.captured",
    "payment.failed",
    "payment.pending",
    "order.paid",
    "order.notification.delivered",
    "order.notification.failed",
    "refund.created",
    "refund.processed",
    "refund.failed",
    "refund.speed_changed",
    "subscription.authenticated",
    "subscription.activated",
    "subscription.charged",
    "subscription.pending",
    "subscription.halted",
    "subscription.paused",
    "subscription.resumed",
    "subscription.cancelled",
    "subscription.completed",
    "subscription.updated",
    "invoice.paid",
    "invoice.partially_paid",
    "invoice.expired",
    "payment_link.paid",
    "payment_link.partially_paid",
    "payment_link.expired",
    "payment_link.cancelled",
    "payment.dispute.created",
    "payment.dispute.won",
    "payment.dispute.lost",
    "payment.dispute.closed",
    "payment.dispute.under_review",
    "payment.dispute.action_required",
    "settlement.processed",
    "virtual_account.credited",
    "virtual_account.created",
    "virtual_account.closed",
    "qr_code.credited",
    "payment.downtime.started",
    "payment.downtime.updated",
    "payment.downtime.resolved",
)


class RazorpaySettings(ProviderSettings):
    """Settings of a Razorpay endpoint (the webhook secret goes in ``secrets=``; Razorpay signs
    no time, so there is no tolerance)."""
