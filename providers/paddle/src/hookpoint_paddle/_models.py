"""Typed, tolerant models of Paddle Billing webhook bodies
(https://developer.paddle.com/webhooks/overview).

``{"event_id", "event_type", "occurred_at", "notification_id", "data": {…}}``;
:func:`parse_payload` types ``data`` for transactions, subscriptions and customers. Amounts are
decimal strings in the currency's smallest unit, as Paddle sends them. Every field is optional;
unknown keys are kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "Customer",
    "CustomerEvent",
    "PaddleEntity",
    "PaddleEvent",
    "Subscription",
    "SubscriptionEvent",
    "Transaction",
    "TransactionEvent",
    "parse_payload",
]


class PaddleEntity(PayloadModel):
    id: str | None = None
    status: str | None = None
    custom_data: dict[str, Any] | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Customer(PaddleEntity):
    name: str | None = None
    email: str | None = None
    locale: str | None = None
    marketing_consent: bool | None = None
    import_meta: dict[str, Any] | None = None


class Transaction(PaddleEntity):
    customer_id: str | None = None
    address_id: str | None = None
    business_id: str | None = None
    subscription_id: str | None = None
    invoice_id: str | None = None
    invoice_number: str | None = None
    origin: str | None = None
    collection_mode: str | None = None
    currency_code: str | None = None
    billed_at: datetime | None = None
    items: list[dict[str, Any]] = Field(default_factory=list)
    details: dict[str, Any] | None = None
    payments: list[dict[str, Any]] = Field(default_factory=list)
    checkout: dict[str, Any] | None = None


class Subscription(PaddleEntity):
    customer_id: str | None = None
    address_id: str | None = None
    currency_code: str | None = None
    collection_mode: str | None = None
    started_at: datetime | None = None
    first_billed_at: datetime | None = None
    next_billed_at: datetime | None = None
    paused_at: datetime | None = None
    canceled_at: datetime | None = None
    billing_cycle: dict[str, Any] | None = None
    current_billing_period: dict[str, Any] | None = None
    scheduled_change: dict[str, Any] | None = None
    items: list[dict[str, Any]] = Field(default_factory=list)


EntityT = TypeVar("EntityT", bound=PaddleEntity)


class PaddleEvent(PayloadModel, Generic[EntityT]):
    """A Paddle Billing notification, generic in ``data``."""

    event_id: str | None = None
    event_type: str | None = None
    occurred_at: datetime | None = None
    notification_id: str | None = None
    data: EntityT | None = None


TransactionEvent = PaddleEvent[Transaction]
SubscriptionEvent = PaddleEvent[Subscription]
CustomerEvent = PaddleEvent[Customer]


def _entity(data: dict[str, Any]) -> str | None:
    kind = data.get("event_type")
    return kind.split(".", 1)[0] if isinstance(kind, str) else None


parse_payload = payload_parser(
    PaddleEvent[PaddleEntity],
    {"transaction": TransactionEvent, "subscription": SubscriptionEvent, "customer": CustomerEvent},
    key_of=_entity,
)
"""Parse a decoded Paddle body (``data`` typed for transactions, subscriptions, customers)."""
