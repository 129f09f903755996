"""Typed, tolerant models of GoCardless webhook bodies.

``{"events": [{"id": "EV...", "created_at", "resource_type", "action", "details": {...},
"links": {...}, "metadata": {...}}, ...], "meta": {"webhook_id": "WB..."}}`` (API reference,
"Events": https://developer.gocardless.com/api-reference/#core-endpoints-events). Every field is
optional and unknown keys are kept: GoCardless adds resource types, actions and details
"without considering this a backwards incompatible change".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "EventDetails",
    "EventLinks",
    "GoCardlessEvent",
    "GoCardlessWebhook",
    "WebhookMeta",
    "parse_payload",
]


class EventDetails(PayloadModel):
    """Why an event happened; GoCardless recommends acting on ``cause``."""

    origin: str | None = None
    """``bank``, ``api``, ``gocardless``, ``customer`` or ``payer``."""
    cause: str | None = None
    description: str | None = None
    scheme: str | None = None
    reason_code: str | None = None
    will_attempt_retry: bool | None = None
    not_retried_reason: str | None = None
    bank_account_id: str | None = None
    item_count: int | None = None
    property_: str | None = Field(default=None, alias="property")
    """The changed attribute of a ``*.updated`` event (JSON ``property``)."""
    currency: str | None = None


class EventLinks(PayloadModel):
    """Ids of the resources an event concerns (the one named after ``resource_type`` and
    related ones); unknown links are kept."""

    payment: str | None = None
    mandate: str | None = None
    subscription: str | None = None
    payout: str | None = None
    refund: str | None = None
    customer: str | None = None
    creditor: str | None = None
    organisation: str | None = None
    billing_request: str | None = None
    billing_request_flow: str | None = None
    instalment_schedule: str | None = None
    parent_event: str | None = None
    new_mandate: str | None = None
    previous_customer_bank_account: str | None = None
    new_customer_bank_account: str | None = None
    mandate_request_mandate: str | None = None
    payment_request_payment: str | None = None


class GoCardlessEvent(PayloadModel):
    id: str | None = None
    created_at: datetime | None = None
    resource_type: str | None = None
    action: str | None = None
    details: EventDetails | None = None
    links: EventLinks | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    resource_metadata: dict[str, Any] | None = None
    customer_notifications: list[dict[str, Any]] | None = None
    source: dict[str, Any] | None = None

    @property
    def type(self) -> str | None:
        """``"<resource_type>.<action>"``, the event type Hookpoint describes."""
        if self.resource_type and self.action:
            return f"{self.resource_type}.{self.action}"
        return None

    @property
    def resource_id(self) -> str | None:
        """The id of the resource the event is about (``payments`` -> ``links.payment``)."""
        if self.links is None or not self.resource_type or not self.resource_type.endswith("s"):
            return None
        value = getattr(self.links, self.resource_type[:-1], None)
        if value is None and self.links.model_extra:
            value = self.links.model_extra.get(self.resource_type[:-1])
        return value if isinstance(value, str) else None


class WebhookMeta(PayloadModel):
    webhook_id: str | None = None


class GoCardlessWebhook(PayloadModel):
    """A whole delivery: a batch of events."""

    events: list[GoCardlessEvent] = Field(default_factory=list)
    meta: WebhookMeta | None = None

    def of_type(self, *types: str) -> list[GoCardlessEvent]:
        """The events whose ``"<resource_type>.<action>"`` is one of ``types``."""
        return [event for event in self.events if event.type in types]


parse_payload = payload_parser(GoCardlessWebhook)
"""Parse a decoded GoCardless body into a :class:`GoCardlessWebhook`."""
