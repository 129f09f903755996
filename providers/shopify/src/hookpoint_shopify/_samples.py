"""Sample Shopify deliveries after the example payloads of Shopify's webhook reference
(https://shopify.dev/docs/api/webhooks), with the headers of an HTTPS delivery; the sign hook
adds ``X-Shopify-Hmac-Sha256``.
"""

from __future__ import annotations

from typing import Any

from hookpoint import Sample
from hookpoint.providerkit import compact_json

__all__ = ["SAMPLES"]

_CUSTOMER = {
    "id": 706405506930370084,
    "email": "bob@biller.com",
    "first_name": "Bob",
    "last_name": "Biller",
    "state": "disabled",
    "verified_email": True,
    "tags": "",
    "currency": "USD",
    "created_at": "2024-05-02T10:14:02-04:00",
    "updated_at": "2024-05-02T10:14:02-04:00",
    "admin_graphql_api_id": "gid://shopify/Customer/706405506930370084",
}


def _sample(topic: str, webhook_id: str, data: dict[str, Any]) -> Sample:
    return Sample(
        name=topic.replace("/", "."),
        description=f"{topic} (example payload)",
        headers={
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Shop-Domain": "example.myshopify.com",
            "X-Shopify-API-Version": "2024-04",
            "X-Shopify-Webhook-Id": webhook_id,
            "X-Shopify-Event-Id": "98880550-7158-44d4-b7cd-2c97c8a091b5",
            "X-Shopify-Triggered-At": "2024-05-02T14:14:02.412093209Z",
        },
        body=compact_json(data),
        secret="hush",  # noqa: S106 - sample secret (also the known-answer shopify-hmac vector)
        event_type=topic,
    )


SAMPLES: tuple[Sample, ...] = (
    _sample(
        "orders/create",
        "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        {
            "id": 820982911946154508,
            "admin_graphql_api_id": "gid://shopify/Order/820982911946154508",
            "name": "#9999",
            "order_number": 1234,
            "email": "jon@example.com",
            "currency": "USD",
            "total_price": "403.00",
            "subtotal_price": "393.00",
            "total_tax": "0.00",
            "financial_status": "voided",
            "fulfillment_status": "pending",
            "test": True,
            "cancelled_at": "2024-05-02T10:14:02-04:00",
            "cancel_reason": "customer",
            "created_at": "2024-05-02T10:14:02-04:00",
            "updated_at": "2024-05-02T10:14:02-04:00",
            "customer": _CUSTOMER,
            "line_items": [
                {
                    "id": 866550311766439020,
                    "product_id": 632910392,
                    "variant_id": 808950810,
                    "title": "IPod Nano - 8GB",
                    "name": "IPod Nano - 8GB",
                    "sku": "IPOD2008PINK",
                    "quantity": 1,
                    "price": "199.00",
                    "requires_shipping": True,
                }
            ],
            "shipping_address": {
                "first_name": "Steve",
                "address1": "123 Shipping Street",
                "city": "Shippington",
                "province": "Kentucky",
                "country": "United States",
                "zip": "40003",
            },
        },
    ),
    _sample(
        "products/update",
        "d0c1b2a3-5f6e-4d7c-8b9a-0e1f2a3b4c5d",
        {
            "id": 788032119674292922,
            "title": "Example T-Shirt",
            "handle": "example-t-shirt",
            "body_html": "An example T-Shirt",
            "vendor": "Acme",
            "product_type": "Shirts",
            "status": "active",
            "tags": "example, mens, t-shirt",
            "created_at": None,
            "updated_at": "2024-05-02T10:14:02-04:00",
            "admin_graphql_api_id": "gid://shopify/Product/788032119674292922",
            "variants": [
                {
                    "id": 642667041472713922,
                    "product_id": 788032119674292922,
                    "title": "Small",
                    "price": "19.99",
                    "sku": "example-shirt-s",
                    "inventory_quantity": 75,
                }
            ],
        },
    ),
    _sample("customers/create", "0f5b4f1e-9a33-4a2e-8a0d-7e6c2b1d3c4f", _CUSTOMER),
    _sample(
        "app/uninstalled",
        "5e1f7a44-2b9d-4c61-9f0e-3d8a6b2c1e70",
        {
            "id": 548380009,
            "name": "Super Toys",
            "email": "super@supertoys.com",
            "domain": "example.myshopify.com",
            "myshopify_domain": "example.myshopify.com",
            "plan_name": "basic",
            "created_at": None,
            "updated_at": None,
        },
    ),
)
