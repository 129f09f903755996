"""Sample Stripe deliveries after the event examples in Stripe's API reference
(https://docs.stripe.com/api/events/object). Stripe sends pretty-printed JSON (two-space
indent) with ``Content-Type: application/json; charset=utf-8``; the sign hook adds
``Stripe-Signature``.
"""

from __future__ import annotations

import json
from typing import Any

from hookpoint import Sample

__all__ = ["SAMPLES"]

_HEADERS = {
    "Content-Type": "application/json; charset=utf-8",
    "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
    "Cache-Control": "no-cache",
}


def _event(
    name: str, event_id: str, kind: str, obj: dict[str, Any], previous: dict[str, Any] | None = None
) -> Sample:
    data: dict[str, Any] = {"object": obj}
    if previous is not None:
        data["previous_attributes"] = previous
    body = {
        "id": event_id,
        "object": "event",
        "api_version": "2024-06-20",
        "created": 1714658591,
        "data": data,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {
            "id": "req_8Zq1VbS0nX4RtW",
            "idempotency_key": "6d4c1f3e-7b1a-4a43-9f55-0c8a7b9f2e10",
        },
        "type": kind,
    }
    return Sample(
        name=name,
        description=f"{kind} (snapshot event)",
        headers=_HEADERS,
        body=json.dumps(body, indent=2).encode(),
        secret="whsec_test_secret",  # noqa: S106
        event_type=kind,
    )


SAMPLES: tuple[Sample, ...] = (
    _event(
        "payment_intent.succeeded",
        "evt_3PBu9xLkdIwHu7ix0Fs4hE2P",
        "payment_intent.succeeded",
        {
            "id": "pi_3PBu9xLkdIwHu7ix0yMk8Zb1",
            "object": "payment_intent",
            "amount": 2000,
            "amount_received": 2000,
            "currency": "usd",
            "customer": "cus_Q2R8N0x9x1wYpD",
            "description": "Order #1042",
            "latest_charge": "ch_3PBu9xLkdIwHu7ix0qWeRt5U",
            "livemode": False,
            "metadata": {"order_id": "1042"},
            "payment_method": "pm_1PBu9wLkdIwHu7ix",
            "receipt_email": "jenny.rosen@example.com",
            "status": "succeeded",
            "created": 1714658589,
            "last_payment_error": None,
        },
    ),
    _event(
        "checkout.session.completed",
        "evt_1PBuAJLkdIwHu7ixh1J2sQhT",
        "checkout.session.completed",
        {
            "id": "cs_test_a1b2c3d4e5f6g7h8i9j0",
            "object": "checkout.session",
            "amount_total": 4900,
            "currency": "eur",
            "mode": "subscription",
            "status": "complete",
            "payment_status": "paid",
            "customer": "cus_Q2R8N0x9x1wYpD",
            "customer_email": None,
            "customer_details": {"email": "jenny.rosen@example.com", "name": "Jenny Rosen"},
            "client_reference_id": "user_734",
            "payment_intent": None,
            "subscription": "sub_1PBuAILkdIwHu7ixT0nqP4Wk",
            "success_url": "https://example.com/success",
            "livemode": False,
            "metadata": {},
            "created": 1714658500,
        },
    ),
    _event(
        "invoice.paid",
        "evt_1PBuAKLkdIwHu7ixZ9Qv3cYd",
        "invoice.paid",
        {
            "id": "in_1PBuAILkdIwHu7ixJm8Vx2Lq",
            "object": "invoice",
            "number": "A1B2C3D4-0001",
            "status": "paid",
            "customer": "cus_Q2R8N0x9x1wYpD",
            "customer_email": "jenny.rosen@example.com",
            "subscription": "sub_1PBuAILkdIwHu7ixT0nqP4Wk",
            "currency": "eur",
            "amount_due": 4900,
            "amount_paid": 4900,
            "amount_remaining": 0,
            "billing_reason": "subscription_create",
            "hosted_invoice_url": "https://invoice.stripe.com/i/acct_1Nv0FG/test_YWNjdF8x",
            "period_start": 1714658500,
            "period_end": 1714658500,
            "livemode": False,
            "metadata": {},
            "created": 1714658500,
        },
    ),
    _event(
        "customer.subscription.updated",
        "evt_1PBuB0LkdIwHu7ixw8Vd2KfE",
        "customer.subscription.updated",
        {
            "id": "sub_1PBuAILkdIwHu7ixT0nqP4Wk",
            "object": "subscription",
            "status": "active",
            "customer": "cus_Q2R8N0x9x1wYpD",
            "cancel_at_period_end": True,
            "current_period_start": 1714658500,
            "current_period_end": 1717336900,
            "trial_end": None,
            "livemode": False,
            "metadata": {},
            "created": 1714658500,
            "items": {
                "object": "list",
                "data": [{"id": "si_Q2R9", "object": "subscription_item", "quantity": 1}],
            },
        },
        previous={"cancel_at_period_end": False},
    ),
)
