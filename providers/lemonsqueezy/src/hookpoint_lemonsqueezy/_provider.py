"""Lemon Squeezy: the signature, the settings and how a delivery is described.

``X-Signature`` is the lowercase hex HMAC-SHA256 of the raw body keyed with the webhook's signing
secret (https://docs.lemonsqueezy.com/help/webhooks/signing-requests). Lemon Squeezy signs no
timestamp, so there is no replay window.

The event name is in the signed body (``meta.event_name``) and in the ``X-Event-Name`` header
(https://docs.lemonsqueezy.com/help/webhooks/webhook-requests); the body wins because the
header is not signed. A delivery has **no delivery or event id**: the dedupe id is
``data.type:data.id:event_name:updated_at`` (the JSON:API resource, what happened to it, and the
resource's ``data.attributes.updated_at``). A retry (Lemon Squeezy retries up to three times) or a
manual resend carries the same resource state, so it gets the same id and runs once; a later
change to the same resource (a new ``subscription_updated``) moves ``updated_at`` and runs
again. A hash of the body would do the same for exact retries, but this id can be read and
filtered on, and it stays stable if Lemon Squeezy adds keys to ``meta`` between resends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookpoint.providerkit import (
    EventSpec,
    HeaderSignature,
    HmacScheme,
    ProviderSettings,
    json_object,
    lookup,
    text,
)

if TYPE_CHECKING:
    from hookpoint import EventInfo, WebhookRequest

__all__ = ["EVENT", "EVENT_TYPES", "SIGNATURE", "LemonSqueezySettings", "dedupe_id", "describe"]

SIGNATURE = HeaderSignature("X-Signature", HmacScheme())

EVENT = EventSpec(
    type=("body:meta.event_name", "header:X-Event-Name"),
    time=("body:data.attributes.updated_at", "body:data.attributes.created_at"),
    fields={
        "resource_type": "body:data.type",
        "resource_id": "body:data.id",
        "store_id": "body:data.attributes.store_id",
        "status": "body:data.attributes.status",
        "test_mode": "body:meta.test_mode",
        "webhook_id": "body:meta.webhook_id",
        "custom_data": "body:meta.custom_data",
    },
)

# https://docs.lemonsqueezy.com/help/webhooks/event-types
EVENT_TYPES: tuple[str, ...] = (
    "order_created",
    "order_refunded",
    "subscription_created",
    "subscription_updated",
    "subscription_cancelled",
    "subscription_resumed",
    "subscription_expired",
    "subscription_paused",
    "subscription_unpaused",
    "subscription_payment_success",
    "subscription_payment_failed",
    "subscription_payment_recovered",
    "subscription_payment_refunded",
    "subscription_plan_changed",
    "license_key_created",
    "license_key_updated",
    "affiliate_activated",
)


class LemonSqueezySettings(ProviderSettings):
    """Settings of a Lemon Squeezy endpoint: none; the signing secret goes in ``secrets=``."""


def dedupe_id(request: WebhookRequest) -> str | None:
    """``data.type:data.id:event_name:updated_at``, or ``None`` (the body's hash is used then)
    when the body names no resource."""
    body = json_object(request)
    kind, ident = text(lookup(body, "data.type")), text(lookup(body, "data.id"))
    if kind is None or ident is None:
        return None
    event = text(lookup(body, "meta.event_name")) or ""
    updated = text(lookup(body, "data.attributes.updated_at")) or ""
    return f"{kind}:{ident}:{event}:{updated}"


def describe(request: WebhookRequest, settings: LemonSqueezySettings) -> EventInfo:
    event_id = dedupe_id(request)
    return EVENT.describe(request) if event_id is None else EVENT.describe(request, id=event_id)
