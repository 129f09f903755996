"""Typed, tolerant models of Braintree webhook notifications.

Braintree posts a form (``bt_signature``, ``bt_payload``); :func:`parse_payload` takes those
fields (``parse_payload(dict(request.form()))``: ``request.event_model()`` covers JSON bodies
only), decodes the payload's XML and gives a :class:`BraintreeNotification`: ``kind``,
``timestamp``, ``source_merchant_id`` and ``subject`` (the XML below ``<subject>``, names with
underscores), with typed views of the common subjects. Every field is optional; unknown keys are
kept (``model_extra``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import Field

from hookpoint.providerkit import PayloadModel

from ._provider import decode_payload

__all__ = [
    "BraintreeNotification",
    "Dispute",
    "Subscription",
    "Transaction",
    "parse_payload",
]


class Transaction(PayloadModel):
    id: str | None = None
    status: str | None = None
    type: str | None = None
    amount: Decimal | None = None
    currency_iso_code: str | None = None
    merchant_account_id: str | None = None
    payment_instrument_type: str | None = None
    created_at: datetime | None = None


class Subscription(PayloadModel):
    id: str | None = None
    status: str | None = None
    plan_id: str | None = None
    next_billing_date: date | None = None
    transactions: list[dict[str, Any]] = Field(default_factory=list)


class Dispute(PayloadModel):
    id: str | None = None
    kind: str | None = None
    status: str | None = None
    reason: str | None = None
    amount: Decimal | None = None
    amount_disputed: Decimal | None = None
    currency_iso_code: str | None = None
    case_number: str | None = None
    reply_by_date: date | None = None
    transaction: Transaction | None = None


class BraintreeNotification(PayloadModel):
    kind: str | None = None
    timestamp: datetime | None = None
    source_merchant_id: str | None = None
    subject: dict[str, Any] = Field(default_factory=dict)

    def _subject(self, name: str) -> Any:
        value = self.subject.get(name)
        return value if isinstance(value, dict) else None

    @property
    def transaction(self) -> Transaction | None:
        value = self._subject("transaction")
        return Transaction.model_validate(value) if value is not None else None

    @property
    def subscription(self) -> Subscription | None:
        value = self._subject("subscription")
        return Subscription.model_validate(value) if value is not None else None

    @property
    def dispute(self) -> Dispute | None:
        value = self._subject("dispute")
        return Dispute.model_validate(value) if value is not None else None


def parse_payload(data: Any) -> BraintreeNotification:
    """The notification in a form's ``bt_payload`` (``ValueError`` when there is none, or it is
    not a Braintree notification). The signature is not checked here: the host verified it."""
    payload = data.get("bt_payload") if isinstance(data, dict) else None
    notification = decode_payload(payload) if isinstance(payload, str) else None
    if notification is None:
        raise ValueError("no Braintree notification in the bt_payload field")
    return BraintreeNotification.model_validate(notification)
