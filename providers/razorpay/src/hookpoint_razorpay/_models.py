"""Typed, tolerant models of Razorpay webhook bodies (https://razorpay.com/docs/webhooks/).

Every delivery is ``{"entity": "event", "account_id": "acc_…", "event": "payment.captured",
"contains": ["payment"], "payload": {"payment": {"entity": {…}}}, "created_at": <unix>}``:
``contains`` names the entities under ``payload``, each wrapped in ``{"entity": {…}}``.
Amounts are integers in the currency's smallest unit (paise); ``notes`` is an object, or ``[]``
when empty. Every field is optional and unknown keys are kept (``model_extra``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "Entity",
    "Order",
    "Payment",
    "RazorpayEvent",
    "RazorpayPayload",
    "Refund",
    "Subscription",
    "Wrapped",
    "parse_payload",
]


class Entity(PayloadModel):
    """Any Razorpay entity: ``id``, ``entity`` (its kind) and whatever else it has."""

    id: str | None = None
    entity: str | None = None
    notes: dict[str, Any] | list[Any] = Field(default_factory=dict)
    created_at: datetime | None = None


class Payment(Entity):
    amount: int | None = None
    currency: str | None = None
    status: str | None = None
    """``created``, ``authorized``, ``captured``, ``refunded`` or ``failed``."""
    order_id: str | None = None
    invoice_id: str | None = None
    method: str | None = None
    captured: bool | None = None
    amount_refunded: int | None = None
    refund_status: str | None = None
    description: str | None = None
    email: str | None = None
    contact: str | None = None
    customer_id: str | None = None
    fee: int | None = None
    tax: int | None = None
    error_code: str | None = None
    error_description: str | None = None
    error_reason: str | None = None


class Order(Entity):
    amount: int | None = None
    amount_paid: int | None = None
    amount_due: int | None = None
    currency: str | None = None
    receipt: str | None = None
    status: str | None = None
    attempts: int | None = None


class Refund(Entity):
    amount: int | None = None
    currency: str | None = None
    payment_id: str | None = None
    status: str | None = None
    speed_requested: str | None = None
    speed_processed: str | None = None


class Subscription(Entity):
    plan_id: str | None = None
    customer_id: str | None = None
    status: str | None = None
    current_start: datetime | None = None
    current_end: datetime | None = None
    charge_at: datetime | None = None
    total_count: int | None = None
    paid_count: int | None = None
    remaining_count: int | None = None


E = TypeVar("E", bound=Entity)


class Wrapped(PayloadModel, Generic[E]):
    """``{"entity": {…}}``, the wrapper of each entity under ``payload``."""

    entity: E | None = None


class RazorpayPayload(PayloadModel):
    """The entities a delivery carries (the keys ``contains`` lists); others stay in
    ``model_extra``."""

    payment: Wrapped[Payment] | None = None
    order: Wrapped[Order] | None = None
    refund: Wrapped[Refund] | None = None
    subscription: Wrapped[Subscription] | None = None


class RazorpayEvent(PayloadModel):
    entity: str | None = None
    account_id: str | None = None
    event: str | None = None
    contains: list[str] = Field(default_factory=list)
    payload: RazorpayPayload | None = None
    created_at: datetime | None = None


parse_payload = payload_parser(RazorpayEvent)
"""Parse a decoded Razorpay body into a :class:`RazorpayEvent` (``ValueError`` for a body that
is not a JSON object)."""
