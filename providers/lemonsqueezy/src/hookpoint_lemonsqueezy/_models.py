"""Typed, tolerant models of Lemon Squeezy webhook bodies.

A delivery is a JSON:API resource with a ``meta`` object: ``{"meta": {"event_name",
"custom_data", "test_mode", "webhook_id"}, "data": {"type", "id", "attributes"}}``; ``data`` is
an order, a subscription, a subscription invoice, a license key or an affiliate
(https://docs.lemonsqueezy.com/help/webhooks/webhook-requests). Every field is optional;
unknown keys are kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "LemonSqueezyEvent",
    "LemonSqueezyMeta",
    "LemonSqueezyOrder",
    "LemonSqueezyOrderEvent",
    "LemonSqueezyResource",
    "LemonSqueezySubscription",
    "LemonSqueezySubscriptionEvent",
    "parse_payload",
]


class LemonSqueezyMeta(PayloadModel):
    """``meta``: the event name, the checkout's custom data, test mode, the webhook's id."""

    event_name: str | None = None
    custom_data: dict[str, Any] | None = None
    test_mode: bool | None = None
    webhook_id: str | None = None


class LemonSqueezyResource(PayloadModel):
    """``data``: any JSON:API resource (``attributes`` stays a dict)."""

    type: str | None = None
    id: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)


class LemonSqueezyEvent(PayloadModel):
    """Any Lemon Squeezy delivery."""

    meta: LemonSqueezyMeta = Field(default_factory=LemonSqueezyMeta)
    data: LemonSqueezyResource | None = None


class LemonSqueezyOrder(PayloadModel):
    """``data.attributes`` of an ``orders`` resource (amounts in cents)."""

    store_id: int | None = None
    customer_id: int | None = None
    identifier: str | None = None
    order_number: int | None = None
    user_name: str | None = None
    user_email: str | None = None
    currency: str | None = None
    subtotal: int | None = None
    tax: int | None = None
    total: int | None = None
    status: str | None = None
    refunded: bool | None = None
    refunded_at: datetime | None = None
    first_order_item: dict[str, Any] | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    test_mode: bool | None = None


class LemonSqueezySubscription(PayloadModel):
    """``data.attributes`` of a ``subscriptions`` resource."""

    store_id: int | None = None
    customer_id: int | None = None
    order_id: int | None = None
    product_id: int | None = None
    variant_id: int | None = None
    product_name: str | None = None
    variant_name: str | None = None
    user_name: str | None = None
    user_email: str | None = None
    status: str | None = None
    cancelled: bool | None = None
    pause: dict[str, Any] | None = None
    trial_ends_at: datetime | None = None
    renews_at: datetime | None = None
    ends_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    test_mode: bool | None = None


class _Order(LemonSqueezyResource):
    attributes: LemonSqueezyOrder = Field(default_factory=LemonSqueezyOrder)  # type: ignore[assignment]


class _Subscription(LemonSqueezyResource):
    attributes: LemonSqueezySubscription = Field(  # type: ignore[assignment]
        default_factory=LemonSqueezySubscription
    )


class LemonSqueezyOrderEvent(LemonSqueezyEvent):
    """A delivery whose ``data`` is an order (``order_created``, ``order_refunded``)."""

    data: _Order | None = None


class LemonSqueezySubscriptionEvent(LemonSqueezyEvent):
    """A delivery whose ``data`` is a subscription (``subscription_*`` but the payment events,
    whose ``data`` is a ``subscription-invoices`` resource)."""

    data: _Subscription | None = None


parse_payload = payload_parser(
    LemonSqueezyEvent,
    {"orders": LemonSqueezyOrderEvent, "subscriptions": LemonSqueezySubscriptionEvent},
    key="data.type",
)
"""Parse a decoded body by its resource type (``data.type``): ``orders`` →
:class:`LemonSqueezyOrderEvent`, ``subscriptions`` → :class:`LemonSqueezySubscriptionEvent`,
else :class:`LemonSqueezyEvent`."""
