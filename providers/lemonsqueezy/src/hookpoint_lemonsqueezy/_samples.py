"""Sample Lemon Squeezy deliveries: the ``order_created`` example of
https://docs.lemonsqueezy.com/help/webhooks/webhook-requests and the ``subscription_created``
example of https://docs.lemonsqueezy.com/guides/developer-guide/webhooks (abridged: the
attributes kept are the ones the docs show; e-mail addresses are example.com ones), plus an
``order_refunded`` of the same order, each sent with its ``X-Event-Name`` header.
"""

from __future__ import annotations

import json
from typing import Any

from hookpoint import Sample

__all__ = ["SAMPLES", "SIGNING_SECRET"]

SIGNING_SECRET = "lemon-signing-secret"  # noqa: S105 - a test secret (6 to 40 characters)

_ORDER: dict[str, Any] = {
    "store_id": 1,
    "customer_id": 1,
    "identifier": "104e18a2-d755-4d4b-80c4-a6c1dcbe1c10",
    "order_number": 1,
    "user_name": "John Doe",
    "user_email": "johndoe@example.com",
    "currency": "USD",
    "currency_rate": "1.0000",
    "subtotal": 999,
    "discount_total": 0,
    "tax": 200,
    "total": 1199,
    "tax_name": "VAT",
    "tax_rate": "20.00",
    "status": "paid",
    "status_formatted": "Paid",
    "refunded": False,
    "refunded_at": None,
    "first_order_item": {
        "id": 1,
        "order_id": 1,
        "product_id": 1,
        "variant_id": 1,
        "product_name": "Test Limited License for 2 years",
        "variant_name": "Default",
        "price": 1199,
    },
    "created_at": "2021-08-17T09:45:53.000000Z",
    "updated_at": "2021-08-17T09:45:53.000000Z",
    "test_mode": False,
}

_SUBSCRIPTION: dict[str, Any] = {
    "store_id": 2,
    "customer_id": 2,
    "order_id": 2,
    "order_item_id": 2,
    "product_id": 2,
    "variant_id": 2,
    "product_name": "Subscription One",
    "variant_name": "Default",
    "user_name": "Dan R",
    "user_email": "dan@example.com",
    "status": "on_trial",
    "status_formatted": "On_trial",
    "card_brand": "visa",
    "card_last_four": "42424",
    "pause": None,
    "cancelled": False,
    "trial_ends_at": "2023-01-24T12:43:48.000000Z",
    "billing_anchor": 24,
    "renews_at": "2023-01-24T12:43:48.000000Z",
    "ends_at": None,
    "created_at": "2023-01-17T12:43:50.000000Z",
    "updated_at": "2023-01-17T12:43:51.000000Z",
    "test_mode": False,
}

_REFUNDED = {
    **_ORDER,
    "status": "refunded",
    "status_formatted": "Refunded",
    "refunded": True,
    "refunded_at": "2021-08-18T10:02:11.000000Z",
    "updated_at": "2021-08-18T10:02:11.000000Z",
}

# (event name, resource type, resource id, attributes, custom data, what happened)
_EXAMPLES: tuple[tuple[str, str, str, dict[str, Any], dict[str, Any] | None, str], ...] = (
    ("order_created", "orders", "1", _ORDER, {"customer_id": 25}, "an order was paid"),
    ("order_refunded", "orders", "1", _REFUNDED, {"customer_id": 25}, "an order was refunded"),
    ("subscription_created", "subscriptions", "1", _SUBSCRIPTION, None, "a trial started"),
)


def _body(event: str, kind: str, ident: str, attributes: dict[str, Any], custom: Any) -> bytes:
    meta: dict[str, Any] = {"event_name": event}
    if custom is not None:
        meta["custom_data"] = custom
    data = {"type": kind, "id": ident, "attributes": attributes}
    return json.dumps({"meta": meta, "data": data}).encode()


SAMPLES: tuple[Sample, ...] = tuple(
    Sample(
        name=event,
        description=f"{event}: {about} (Lemon Squeezy's example payload)",
        headers={"Content-Type": "application/json", "X-Event-Name": event},
        body=_body(event, kind, ident, attributes, custom),
        event_type=event,
        secret=SIGNING_SECRET,
    )
    for event, kind, ident, attributes, custom, about in _EXAMPLES
)
