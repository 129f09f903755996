"""Sample Razorpay deliveries after the sample payloads in Razorpay's webhook docs
(https://razorpay.com/docs/webhooks/payments/, …/orders/, …/refunds/, …/subscriptions/),
personal data replaced. Razorpay posts compact JSON with ``Content-Type: application/json`` and
the ``x-razorpay-event-id`` header; the sign hook adds ``X-Razorpay-Signature``.
"""

from __future__ import annotations

from typing import Any

from hookpoint import Sample
from hookpoint.providerkit import compact_json

__all__ = ["SAMPLES", "WEBHOOK_SECRET"]

WEBHOOK_SECRET = "razorpay-webhook-secret"  # noqa: S105 - the samples' test secret
ACCOUNT = "acc_BFQ7uQEaa7j2z7"

_PAYMENT: dict[str, Any] = {
    "id": "pay_DESlfW9H8K9uqM",
    "entity": "payment",
    "amount": 100,
    "currency": "INR",
    "base_amount": 100,
    "status": "captured",
    "order_id": "order_DESlLckIVRkHWj",
    "invoice_id": None,
    "international": False,
    "method": "netbanking",
    "amount_refunded": 0,
    "amount_transferred": 0,
    "refund_status": None,
    "captured": True,
    "description": None,
    "card_id": None,
    "bank": "HDFC",
    "wallet": None,
    "vpa": None,
    "email": "gaurav.kumar@example.com",
    "contact": "+919876543210",
    "notes": [],
    "fee": 2,
    "tax": 0,
    "error_code": None,
    "error_description": None,
    "error_source": None,
    "error_step": None,
    "error_reason": None,
    "acquirer_data": {"bank_transaction_id": "0125836177"},
    "created_at": 1567674599,
}


def _event(name: str, event_id: str, kind: str, payload: dict[str, Any], created_at: int) -> Sample:
    body = {
        "entity": "event",
        "account_id": ACCOUNT,
        "event": kind,
        "contains": list(payload),
        "payload": {key: {"entity": value} for key, value in payload.items()},
        "created_at": created_at,
    }
    return Sample(
        name=name,
        description=f"{kind} ({', '.join(payload)})",
        headers={"Content-Type": "application/json", "x-razorpay-event-id": event_id},
        body=compact_json(body),
        secret=WEBHOOK_SECRET,
        event_type=kind,
    )


SAMPLES: tuple[Sample, ...] = (
    _event(
        "payment.captured", "KxP1v7nLf0ZbQ2", "payment.captured", {"payment": _PAYMENT}, 1567674606
    ),
    _event(
        "order.paid",
        "KxP1v8Wd3mTcR5",
        "order.paid",
        {
            "payment": _PAYMENT,
            "order": {
                "id": "order_DESlLckIVRkHWj",
                "entity": "order",
                "amount": 100,
                "amount_paid": 100,
                "amount_due": 0,
                "currency": "INR",
                "receipt": "rcptid #1",
                "offer_id": None,
                "status": "paid",
                "attempts": 1,
                "notes": [],
                "created_at": 1567674581,
            },
        },
        1567674606,
    ),
    _event(
        "refund.processed",
        "KxP2a1Hq9sYtU8",
        "refund.processed",
        {
            "refund": {
                "id": "rfnd_FP8DDKxqJif6ca",
                "entity": "refund",
                "amount": 100,
                "currency": "INR",
                "payment_id": "pay_DESlfW9H8K9uqM",
                "notes": {"comment": "Customer cancelled the order"},
                "receipt": None,
                "acquirer_data": {"arn": "10000000000000"},
                "created_at": 1597078124,
                "batch_id": None,
                "status": "processed",
                "speed_processed": "normal",
                "speed_requested": "optimum",
            },
            "payment": {
                **_PAYMENT,
                "amount_refunded": 100,
                "refund_status": "full",
                "status": "refunded",
            },
        },
        1597078126,
    ),
    _event(
        "subscription.charged",
        "KxP2b4Jr2vWxZ9",
        "subscription.charged",
        {
            "subscription": {
                "id": "sub_DEX6xcJ1HSW4CR",
                "entity": "subscription",
                "plan_id": "plan_BvrFKjSxauOH7N",
                "customer_id": "cust_C0WlbKhp3aLA7W",
                "status": "active",
                "type": 2,
                "current_start": 1570213800,
                "current_end": 1572892200,
                "ended_at": None,
                "quantity": 1,
                "notes": {"Important": "Notes for Internal Reference"},
                "charge_at": 1572892200,
                "start_at": 1570213800,
                "end_at": 1599244200,
                "auth_attempts": 0,
                "total_count": 12,
                "paid_count": 1,
                "customer_notify": True,
                "created_at": 1567690383,
                "expire_by": 1567881000,
                "short_url": None,
                "has_scheduled_changes": False,
                "change_scheduled_at": None,
                "source": "api",
                "offer_id": "offer_JHD834hjbxzhd38d",
                "remaining_count": 11,
            },
            "payment": {
                **_PAYMENT,
                "id": "pay_DEXFWroJ6LikKT",
                "amount": 49900,
                "order_id": "order_DEXFWXM8j3cC3E",
                "invoice_id": "inv_DEXFWVuM5fqkD5",
                "method": "card",
                "card_id": "card_DEXFX0KGhH3fEB",
                "bank": None,
                "created_at": 1570218506,
            },
        },
        1570218510,
    ),
)
