"""Typed, tolerant models of Adyen standard webhooks
(https://docs.adyen.com/development-resources/webhooks/webhook-types).

A body is ``{"live": "false", "notificationItems": [{"NotificationRequestItem": {...}}]}``;
:func:`parse_payload` (``request.event_model()``) gives an :class:`AdyenNotification`, whose
:attr:`~AdyenNotification.items` are the :class:`NotificationRequestItem` objects. Attributes are
snake_case, Adyen's camelCase names their aliases; ``"true"``/``"false"`` strings are read as
booleans. Every field is optional; unknown keys are kept (``model_extra``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel

from hookpoint.providerkit import PayloadModel

__all__ = [
    "AdyenNotification",
    "Amount",
    "NotificationItem",
    "NotificationRequestItem",
    "parse_payload",
]


class _Adyen(PayloadModel):
    model_config = ConfigDict(alias_generator=to_camel)


class Amount(_Adyen):
    value: int | None = None
    """In minor units (cents)."""
    currency: str | None = None


class NotificationRequestItem(_Adyen):
    event_code: str | None = None
    success: bool | None = None
    psp_reference: str | None = None
    original_reference: str | None = None
    merchant_account_code: str | None = None
    merchant_reference: str | None = None
    amount: Amount | None = None
    event_date: datetime | None = None
    reason: str | None = None
    payment_method: str | None = None
    operations: list[str] = Field(default_factory=list)
    additional_data: dict[str, Any] = Field(default_factory=dict)

    @property
    def hmac_signature(self) -> str | None:
        value = self.additional_data.get("hmacSignature")
        return value if isinstance(value, str) else None


class NotificationItem(_Adyen):
    item: NotificationRequestItem | None = Field(default=None, alias="NotificationRequestItem")


class AdyenNotification(_Adyen):
    live: bool | None = None
    notification_items: list[NotificationItem] = Field(default_factory=list)

    @property
    def items(self) -> list[NotificationRequestItem]:
        return [wrapper.item for wrapper in self.notification_items if wrapper.item is not None]


def parse_payload(data: Any) -> AdyenNotification:
    """Parse a decoded Adyen webhook body (``ValueError`` when it is not a JSON object)."""
    if not isinstance(data, dict):
        raise ValueError(f"an Adyen webhook body is a JSON object, not {type(data).__name__}")
    return AdyenNotification.model_validate(data)
