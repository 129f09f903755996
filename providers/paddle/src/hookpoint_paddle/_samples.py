"""Sample Paddle Billing deliveries: paddle-python-sdk's special-characters fixture (its raw body
keeps Paddle's ``\\uXXXX`` escapes) and events after Paddle's webhook reference
(https://developer.paddle.com/webhooks/overview). The sign hook adds ``Paddle-Signature``.
"""

from __future__ import annotations

from typing import Any

from hookpoint import Sample
from hookpoint.providerkit import compact_json

__all__ = ["SAMPLES", "SECRET_KEY"]

SECRET_KEY = "pdl_ntfset_01hs0t3tw21j988db1pam5xg8m_GrOWLNef+vmtjJYq4mSnHNzvc8uWoJ1I"  # noqa: S105
_HEADERS = {"Content-Type": "application/json", "User-Agent": "Paddle"}
CUSTOMER_CREATED = (
    b'{"data":{"id":"ctm_01hs0t94g83hs5jdw282ztqa4z","name":"\\u00dc\\u00c4\\u00c5\\u00e5\\u00d6'
    b'\\u00dc\\u00c4\\u00c5\\u00e5\\u00d6","email":"blackhole+verification1@paddle.com","locale":'
    b'"en","status":"active","created_at":"2024-03-15T10:24:48.136Z","updated_at":"2024-03-15T10'
    b':24:48.136Z","custom_data":null,"import_meta":null,"marketing_consent":false},"event_id":'
    b'"evt_01hs0t94tjvtv62azjmkbeysz7","event_type":"customer.created","occurred_at":"2024-03-15'
    b'T10:24:48.466759Z","notification_id":"ntf_01hs0t94ws0ay8keh5t4rq70ht"}'
)


def _event(kind: str, event_id: str, data: dict[str, Any]) -> Sample:
    body = {
        "event_id": event_id,
        "event_type": kind,
        "occurred_at": "2024-04-12T10:18:49.621022Z",
        "notification_id": "ntf_" + event_id.removeprefix("evt_"),
        "data": data,
    }
    return Sample(
        name=kind,
        description=f"{kind} (example payload)",
        headers=_HEADERS,
        body=compact_json(body),
        secret=SECRET_KEY,
        event_type=kind,
    )


_ITEMS = [
    {
        "price": {
            "id": "pri_01gsz8x8sawmvhz1pv30nge1ke",
            "product_id": "pro_01gsz4t5hdjse780zja8vvr7jg",
            "unit_price": {"amount": "3000", "currency_code": "USD"},
        },
        "quantity": 10,
    }
]

SAMPLES: tuple[Sample, ...] = (
    Sample(
        name="customer.created",
        headers=_HEADERS,
        body=CUSTOMER_CREATED,
        secret=SECRET_KEY,
        event_type="customer.created",
        description="paddle-python-sdk's special-characters fixture (\\u00dc escapes)",
    ),
    _event(
        "transaction.completed",
        "evt_01hv8x2acma2gz1my2hfm6ja9w",
        {
            "id": "txn_01hv8wptq8987qeep44cyrewp9",
            "status": "completed",
            "customer_id": "ctm_01hv6y1jedq4p1n0yqn5ba3ky4",
            "address_id": "add_01hv8gq3318ktkfengj2r75gfx",
            "business_id": None,
            "subscription_id": "sub_01hv8x29kz0t586xy6zn1a62ny",
            "invoice_id": "inv_01hv8x29nsh54c2pgt0hnq0zkx",
            "invoice_number": "325-10566",
            "origin": "web",
            "collection_mode": "automatic",
            "currency_code": "USD",
            "custom_data": None,
            "billed_at": "2024-04-12T10:18:48.294633Z",
            "items": _ITEMS,
            "details": {
                "totals": {
                    "subtotal": "30000",
                    "tax": "0",
                    "total": "30000",
                    "currency_code": "USD",
                }
            },
            "payments": [
                {
                    "payment_attempt_id": "pa_1",
                    "status": "captured",
                    "method_details": {"type": "card"},
                }
            ],
            "checkout": {"url": "https://aeroedit.com/pay?_ptxn=txn_01hv8wptq8987qeep44cyrewp9"},
            "created_at": "2024-04-12T10:12:33.2014Z",
            "updated_at": "2024-04-12T10:18:49.738Z",
        },
    ),
    _event(
        "subscription.created",
        "evt_01hv8x2b3jx9kqx7s3fv9g0sk0",
        {
            "id": "sub_01hv8x29kz0t586xy6zn1a62ny",
            "status": "active",
            "customer_id": "ctm_01hv6y1jedq4p1n0yqn5ba3ky4",
            "currency_code": "USD",
            "collection_mode": "automatic",
            "started_at": "2024-04-12T10:18:47.635628Z",
            "first_billed_at": "2024-04-12T10:18:47.635628Z",
            "next_billed_at": "2024-05-12T10:18:47.635628Z",
            "paused_at": None,
            "canceled_at": None,
            "billing_cycle": {"interval": "month", "frequency": 1},
            "current_billing_period": {
                "starts_at": "2024-04-12T10:18:47.635628Z",
                "ends_at": "2024-05-12T10:18:47.635628Z",
            },
            "scheduled_change": None,
            "items": _ITEMS,
            "custom_data": None,
            "created_at": "2024-04-12T10:18:48.831Z",
            "updated_at": "2024-04-12T10:18:48.831Z",
        },
    ),
)
