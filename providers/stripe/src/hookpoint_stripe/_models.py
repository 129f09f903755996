"""Typed, tolerant models of Stripe event bodies (https://docs.stripe.com/api/events/object).

A snapshot event is ``{"id": "evt_…", "object": "event", "type": …, "created": <unix>,
"data": {"object": {…}, "previous_attributes": {…}}, …}``; :func:`parse_payload` types
``data.object`` for the main resources by the event type's prefix. Thin events
(``"object": "v2.core.event"``) parse as :class:`ThinEvent`. Every field is optional and unknown
keys are kept (``model_extra``); amounts are integers in the currency's smallest unit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "Charge",
    "ChargeEvent",
    "CheckoutSession",
    "CheckoutSessionEvent",
    "Customer",
    "CustomerEvent",
    "EventData",
    "EventRequest",
    "Invoice",
    "InvoiceEvent",
    "PaymentIntent",
    "PaymentIntentEvent",
    "StripeEvent",
    "StripeObject",
    "Subscription",
    "SubscriptionEvent",
    "ThinEvent",
    "parse_payload",
]


class StripeObject(PayloadModel):
    """Any Stripe API resource: ``id``, ``object`` and whatever else it has."""

    id: str | None = None
    object: str | None = None
    livemode: bool | None = None
    created: datetime | None = None
    metadata: dict[str, str] = Field(default_factory=dict)


class PaymentIntent(StripeObject):
    amount: int | None = None
    amount_received: int | None = None
    currency: str | None = None
    status: str | None = None
    customer: str | None = None
    description: str | None = None
    latest_charge: str | None = None
    payment_method: str | None = None
    receipt_email: str | None = None
    last_payment_error: dict[str, Any] | None = None


class Charge(StripeObject):
    amount: int | None = None
    amount_captured: int | None = None
    amount_refunded: int | None = None
    currency: str | None = None
    status: str | None = None
    paid: bool | None = None
    refunded: bool | None = None
    customer: str | None = None
    payment_intent: str | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    receipt_url: str | None = None


class CheckoutSession(StripeObject):
    mode: str | None = None
    status: str | None = None
    payment_status: str | None = None
    amount_total: int | None = None
    currency: str | None = None
    customer: str | None = None
    customer_email: str | None = None
    customer_details: dict[str, Any] | None = None
    client_reference_id: str | None = None
    payment_intent: str | None = None
    subscription: str | None = None
    success_url: str | None = None


class Invoice(StripeObject):
    number: str | None = None
    status: str | None = None
    customer: str | None = None
    customer_email: str | None = None
    subscription: str | None = None
    currency: str | None = None
    amount_due: int | None = None
    amount_paid: int | None = None
    amount_remaining: int | None = None
    billing_reason: str | None = None
    hosted_invoice_url: str | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None


class Subscription(StripeObject):
    status: str | None = None
    customer: str | None = None
    cancel_at_period_end: bool | None = None
    current_period_start: datetime | None = None
    current_period_end: datetime | None = None
    trial_end: datetime | None = None
    items: dict[str, Any] | None = None


class Customer(StripeObject):
    email: str | None = None
    name: str | None = None
    phone: str | None = None
    description: str | None = None


class EventRequest(PayloadModel):
    """The API request that caused the event (``id`` None for automatic events)."""

    id: str | None = None
    idempotency_key: str | None = None


R = TypeVar("R", bound=StripeObject)


class EventData(PayloadModel, Generic[R]):
    object: R | None = None
    previous_attributes: dict[str, Any] | None = None
    """The changed fields' old values (``*.updated`` events)."""


class StripeEvent(PayloadModel, Generic[R]):
    """A snapshot event, generic in its ``data.object`` resource (``StripeEvent[Invoice]``).

    ``parse_payload`` returns ``StripeEvent[StripeObject]`` for types without a typed model.
    """

    id: str | None = None
    object: str | None = None
    type: str | None = None
    api_version: str | None = None
    created: datetime | None = None
    livemode: bool | None = None
    pending_webhooks: int | None = None
    account: str | None = None
    """The connected account (Connect webhooks only)."""
    request: EventRequest | None = None
    data: EventData[R] | None = None


PaymentIntentEvent = StripeEvent[PaymentIntent]
"""``payment_intent.*``"""
ChargeEvent = StripeEvent[Charge]
"""``charge.*`` (not ``charge.dispute.*``/``charge.refund.*``)"""
CheckoutSessionEvent = StripeEvent[CheckoutSession]
"""``checkout.session.*``"""
InvoiceEvent = StripeEvent[Invoice]
"""``invoice.*``"""
SubscriptionEvent = StripeEvent[Subscription]
"""``customer.subscription.*``"""
CustomerEvent = StripeEvent[Customer]
"""``customer.created|updated|deleted``"""


class ThinEvent(PayloadModel):
    """A thin (v2) event: no snapshot, fetch ``related_object`` through the API."""

    id: str | None = None
    object: str | None = None
    type: str | None = None
    created: datetime | None = None
    livemode: bool | None = None
    related_object: dict[str, Any] | None = None
    reason: dict[str, Any] | None = None


_PREFIXES: tuple[tuple[str, str], ...] = (
    ("payment_intent.", "payment_intent"),
    ("charge.dispute.", ""),
    ("charge.refund.", ""),
    ("charge.", "charge"),
    ("checkout.session.", "checkout_session"),
    ("invoice.", "invoice"),
    ("customer.subscription.", "subscription"),
    ("customer.created", "customer"),
    ("customer.updated", "customer"),
    ("customer.deleted", "customer"),
)


def _kind(data: dict[str, Any]) -> str | None:
    if data.get("object") == "v2.core.event":
        return "thin"
    kind = data.get("type")
    if not isinstance(kind, str):
        return None
    return next((name for prefix, name in _PREFIXES if kind.startswith(prefix)), None)


parse_payload = payload_parser(
    StripeEvent[StripeObject],
    {
        "thin": ThinEvent,
        "payment_intent": PaymentIntentEvent,
        "charge": ChargeEvent,
        "checkout_session": CheckoutSessionEvent,
        "invoice": InvoiceEvent,
        "subscription": SubscriptionEvent,
        "customer": CustomerEvent,
    },
    key_of=_kind,
)
"""Parse a decoded Stripe body into :class:`StripeEvent` (typed per resource) or
:class:`ThinEvent`."""
