"""Sample Square deliveries: the test notification of square-python-sdk's test vector and
events after Square's webhook reference (https://developer.squareup.com/reference/square/webhooks).
"""

from __future__ import annotations

from typing import Any

from hookpoint import Sample
from hookpoint.providerkit import compact_json

__all__ = ["SAMPLES", "SIGNATURE_KEY"]

SIGNATURE_KEY = "Ibxx_5AKakO-3qeNVR61Dw"
_HEADERS = {
    "Content-Type": "application/json",
    "User-Agent": "Square Connect v2",
    "Square-Version": "2024-04-17",
}
_MONEY = {"amount": 1000, "currency": "USD"}
_PAYMENT = {
    "id": "hYy9pRFVxpDsO1FB05SunFWUe9JZY",
    "status": "APPROVED",
    "amount_money": _MONEY,
    "total_money": _MONEY,
    "approved_money": _MONEY,
    "source_type": "CARD",
    "order_id": "1QjqpBVyrI9S4H9sTGDWU9JeiWdZY",
    "location_id": "S8GWD5R9QB376",
    "created_at": "2024-05-02T14:10:21.000Z",
    "updated_at": "2024-05-02T14:10:21.291Z",
    "receipt_number": "hYy9",
    "version": 1,
}


def _event(kind: str, event_id: str, data: dict[str, Any], **settings: str) -> Sample:
    body = {
        "merchant_id": "6SSW7HV8K2ST5",
        "type": kind,
        "event_id": event_id,
        "created_at": "2024-05-02T14:10:21.291Z",
        "data": data,
    }
    return Sample(
        name=kind,
        description=f"{kind} (example payload)",
        headers=_HEADERS,
        body=compact_json(body),
        secret=SIGNATURE_KEY,
        event_type=kind,
        settings=settings,
    )


SAMPLES: tuple[Sample, ...] = (
    Sample(
        name="webhooks.test_notification",
        headers=_HEADERS,
        secret=SIGNATURE_KEY,
        description="square-python-sdk's test vector (signed for its notification URL)",
        body=b'{"merchant_id":"MLEFBHHSJGVHD","type":"webhooks.test_notification","event_id":'
        b'"ac3ac95b-f97d-458c-a6e6-18981597e05f","created_at":"2022-07-13T20:30:59.0373'
        b'39943Z","data":{"type":"webhooks","id":"bc368e64-01aa-407e-b46e-3231809b1129"}}',
        settings={"notification_url": "https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9"},
        event_type="webhooks.test_notification",
    ),
    _event(
        "payment.created",
        "13b867cf-db3d-4b1c-90b6-2f32a9d78124",
        {"type": "payment", "id": _PAYMENT["id"], "object": {"payment": _PAYMENT}},
    ),
    _event(
        "payment.updated",
        "6a8f5f28-54a1-4eb0-a98a-3111513fd4fc",
        {
            "type": "payment",
            "id": _PAYMENT["id"],
            "object": {
                "payment": {
                    **_PAYMENT,
                    "status": "COMPLETED",
                    "version": 2,
                    "receipt_url": "https://squareup.com/receipt/preview/hYy9",
                }
            },
        },
    ),
    _event(
        "order.created",
        "116038d3-2948-439f-8679-fc86cbf1eba0",
        {
            "type": "order",
            "id": "eA3vssLHKJrv9H0IdJCM3gNqfdcZY",
            "object": {
                "order_created": {
                    "created_at": "2024-05-02T14:10:20.000Z",
                    "location_id": "S8GWD5R9QB376",
                    "order_id": "eA3vssLHKJrv9H0IdJCM3gNqfdcZY",
                    "state": "OPEN",
                    "version": 1,
                }
            },
        },
    ),
)
