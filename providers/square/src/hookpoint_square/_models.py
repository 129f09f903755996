"""Typed, tolerant models of Square webhook bodies
(https://developer.squareup.com/reference/square/webhooks).

``{"merchant_id", "type", "event_id", "created_at", "data": {"type", "id", "object": {…}}}``;
``payment.*`` events get a typed :class:`Payment` in ``data.object.payment``. Money is
``{"amount": <int, smallest unit>, "currency"}``. Every field is optional; unknown keys kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "Money",
    "Payment",
    "PaymentData",
    "PaymentEvent",
    "PaymentObject",
    "SquareEvent",
    "SquareEventData",
    "parse_payload",
]


class SquareEventData(PayloadModel):
    type: str | None = None
    id: str | None = None
    object: dict[str, Any] | None = None


class SquareEvent(PayloadModel):
    merchant_id: str | None = None
    location_id: str | None = None
    type: str | None = None
    event_id: str | None = None
    created_at: datetime | None = None
    data: SquareEventData | None = None


class Money(PayloadModel):
    amount: int | None = None
    currency: str | None = None


class Payment(PayloadModel):
    id: str | None = None
    status: str | None = None
    amount_money: Money | None = None
    total_money: Money | None = None
    approved_money: Money | None = None
    source_type: str | None = None
    order_id: str | None = None
    location_id: str | None = None
    customer_id: str | None = None
    receipt_number: str | None = None
    receipt_url: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int | None = None


class PaymentObject(PayloadModel):
    payment: Payment | None = None


class PaymentData(SquareEventData):
    object: PaymentObject | None = None  # type: ignore[assignment]


class PaymentEvent(SquareEvent):
    """``payment.created`` / ``payment.updated``"""

    data: PaymentData | None = None


parse_payload = payload_parser(
    SquareEvent, {"payment.created": PaymentEvent, "payment.updated": PaymentEvent}, key="type"
)
"""Parse a decoded Square body (:class:`PaymentEvent` for payments, else :class:`SquareEvent`)."""
