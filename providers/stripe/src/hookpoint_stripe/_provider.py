"""Stripe's signature scheme and event description.

``Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…][,v0=…]`` where each ``v1`` is the hex
HMAC-SHA256 of ``"{t}.{raw body}"`` keyed with the endpoint secret **as is, ``whsec_`` prefix
included**. Several ``v1`` values appear while a rolled secret is still active; one match is
enough. ``v0`` (test mode, another secret) is ignored.

Tolerance: Stripe's SDKs default to 300 s and only reject *old* timestamps. Hookpoint rejects
timestamps more than ``tolerance`` seconds away in either direction: Stripe stamps deliveries
with its own clock, so a future timestamp means a skewed host clock or a forgery; both are worth
a 401 rather than silently widening the replay window.
"""

from __future__ import annotations

from hookpoint.providerkit import (
    EventSpec,
    PairHeaderSignature,
    ProviderSettings,
    SignedTemplate,
    tolerance_field,
)

__all__ = ["DEFAULT_TOLERANCE", "EVENT", "EVENT_TYPES", "SIGNATURE", "StripeSettings"]

DEFAULT_TOLERANCE = 300
SIGNATURE = PairHeaderSignature(
    "Stripe-Signature", SignedTemplate("{timestamp}.{body}"), tolerance=DEFAULT_TOLERANCE
)

# type/id/time = body type/id/created (snapshot events carry Unix seconds, thin
# ``v2.core.event`` ISO-8601: both are read).
EVENT = EventSpec(
    type=("body:type",),
    id=("body:id",),
    time=("body:created",),
    fields={
        "livemode": "body:livemode",
        "api_version": "body:api_version",
        "account": "body:account",
        "object": "body:data.object.object",
        "object_id": "body:data.object.id",
        "related_object_id": "body:related_object.id",
    },
)

# Common Stripe event types (https://docs.stripe.com/api/events/types); unknown ones pass through.
EVENT_TYPES: tuple[str, ...] = (
    "account.updated",
    "account.application.authorized",
    "account.application.deauthorized",
    "balance.available",
    "charge.captured",
    "charge.dispute.closed",
    "charge.dispute.created",
    "charge.dispute.updated",
    "charge.expired",
    "charge.failed",
    "charge.pending",
    "charge.refund.updated",
    "charge.refunded",
    "charge.succeeded",
    "charge.updated",
    "checkout.session.async_payment_failed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.completed",
    "checkout.session.expired",
    "coupon.created",
    "coupon.deleted",
    "credit_note.created",
    "customer.created",
    "customer.deleted",
    "customer.updated",
    "customer.discount.created",
    "customer.discount.deleted",
    "customer.source.created",
    "customer.subscription.created",
    "customer.subscription.deleted",
    "customer.subscription.paused",
    "customer.subscription.resumed",
    "customer.subscription.trial_will_end",
    "customer.subscription.updated",
    "customer.tax_id.created",
    "invoice.created",
    "invoice.deleted",
    "invoice.finalized",
    "invoice.marked_uncollectible",
    "invoice.paid",
    "invoice.payment_action_required",
    "invoice.payment_failed",
    "invoice.payment_succeeded",
    "invoice.sent",
    "invoice.upcoming",
    "invoice.updated",
    "invoice.voided",
    "invoiceitem.created",
    "mandate.updated",
    "payment_intent.amount_capturable_updated",
    "payment_intent.canceled",
    "payment_intent.created",
    "payment_intent.partially_funded",
    "payment_intent.payment_failed",
    "payment_intent.processing",
    "payment_intent.requires_action",
    "payment_intent.succeeded",
    "payment_link.created",
    "payment_method.attached",
    "payment_method.detached",
    "payment_method.updated",
    "payout.canceled",
    "payout.created",
    "payout.failed",
    "payout.paid",
    "price.created",
    "price.updated",
    "product.created",
    "product.deleted",
    "product.updated",
    "radar.early_fraud_warning.created",
    "refund.created",
    "refund.updated",
    "setup_intent.canceled",
    "setup_intent.created",
    "setup_intent.setup_failed",
    "setup_intent.succeeded",
    "subscription_schedule.created",
    "subscription_schedule.updated",
    "tax_rate.created",
    "transfer.created",
    "transfer.reversed",
    "v1.billing.meter.error_report_triggered",
)


class StripeSettings(ProviderSettings):
    """Settings of a Stripe endpoint (the ``whsec_…`` signing secret goes in ``secrets=``)."""

    tolerance: float = tolerance_field(DEFAULT_TOLERANCE)
