"""Square's webhook signature and event description (see
https://developer.squareup.com/docs/webhooks/step3validate and square-python-sdk's
``WebhooksHelper``).

``x-square-hmacsha256-signature`` = base64 HMAC-SHA256, keyed with the subscription's signature
key, of the **notification URL registered for the subscription** followed by the raw body.
Set ``notification_url`` to that exact URL: a proxy in front of the host changes the URL the
request arrives on, not the one Square signed. Without it the request's URL (rebuilt by the host
from trusted ``X-Forwarded-*`` headers) is used. Nothing time-bound is signed; ``event_id`` is
the dedupe id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import Field

from hookpoint import Verification
from hookpoint.providerkit import EventSpec, HeaderSignature, HmacScheme, ProviderSettings

if TYPE_CHECKING:
    from hookpoint import WebhookRequest

__all__ = [
    "EVENT",
    "EVENT_TYPES",
    "SIGNATURE",
    "SquareSettings",
    "sign",
    "signed_message",
    "verify",
]

SIGNATURE = HeaderSignature("x-square-hmacsha256-signature", HmacScheme(encoding="base64"))

EVENT = EventSpec(
    type=("body:type",),
    id=("body:event_id",),
    time=("body:created_at",),
    fields={
        "merchant_id": "body:merchant_id",
        "data_type": "body:data.type",
        "data_id": "body:data.id",
        "location_id": "body:location_id",
    },
)

# https://developer.squareup.com/reference/square/webhooks (common ones).
EVENT_TYPES: tuple[str, ...] = (
    "webhooks.test_notification",
    "payment.created",
    "payment.updated",
    "refund.created",
    "refund.updated",
    "order.created",
    "order.updated",
    "order.fulfillment.updated",
    "invoice.created",
    "invoice.published",
    "invoice.payment_made",
    "invoice.canceled",
    "invoice.updated",
    "customer.created",
    "customer.updated",
    "customer.deleted",
    "subscription.created",
    "subscription.updated",
    "booking.created",
    "booking.updated",
    "inventory.count.updated",
    "catalog.version.updated",
    "dispute.created",
    "dispute.state.changed",
    "payout.sent",
    "payout.failed",
    "gift_card.activity.created",
    "loyalty.account.updated",
    "oauth.authorization.revoked",
    "team_member.created",
)


class SquareSettings(ProviderSettings):
    """Settings of a Square endpoint (the subscription's signature key goes in ``secrets=``)."""

    notification_url: str | None = Field(
        default=None,
        pattern=r"^https?://",
        description="The notification URL exactly as registered in the Square subscription "
        "(Square signs it). Default: the URL the request arrived on.",
    )


def signed_message(request: WebhookRequest, settings: SquareSettings) -> bytes:
    """What Square signs: the notification URL, then the raw body."""
    return (settings.notification_url or request.url).encode("utf-8") + request.body


def verify(
    request: WebhookRequest, settings: SquareSettings, secrets: Sequence[str], now: float
) -> Verification:
    return SIGNATURE.verify(request, secrets, signed_message(request, settings))


def sign(
    request: WebhookRequest, settings: SquareSettings, secret: str, now: float
) -> WebhookRequest:
    return SIGNATURE.sign(request, secret, signed_message(request, settings))
