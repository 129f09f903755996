"""Typed, tolerant models of Shopify webhook bodies (REST Admin API resources).

The topic travels in ``X-Shopify-Topic``, so :func:`parse_payload` recognises orders, products
and customers by shape; anything else (``app/uninstalled`` sends the shop, GDPR topics their own
bodies) parses as :class:`ShopifyResource`. Money amounts are decimal strings, as Shopify sends
them. Every field is optional; unknown keys are kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "Customer",
    "LineItem",
    "Order",
    "Product",
    "ProductVariant",
    "ShopifyResource",
    "parse_payload",
]


class ShopifyResource(PayloadModel):
    id: int | None = None
    admin_graphql_api_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class Customer(ShopifyResource):
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    state: str | None = None
    verified_email: bool | None = None
    tags: str | None = None
    currency: str | None = None


class LineItem(PayloadModel):
    id: int | None = None
    product_id: int | None = None
    variant_id: int | None = None
    title: str | None = None
    name: str | None = None
    sku: str | None = None
    quantity: int | None = None
    price: str | None = None
    requires_shipping: bool | None = None


class Order(ShopifyResource):
    """``orders/*``"""

    name: str | None = None
    order_number: int | None = None
    email: str | None = None
    currency: str | None = None
    total_price: str | None = None
    subtotal_price: str | None = None
    total_tax: str | None = None
    financial_status: str | None = None
    fulfillment_status: str | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    test: bool | None = None
    customer: Customer | None = None
    line_items: list[LineItem] = Field(default_factory=list)
    shipping_address: dict[str, Any] | None = None
    billing_address: dict[str, Any] | None = None


class ProductVariant(PayloadModel):
    id: int | None = None
    product_id: int | None = None
    title: str | None = None
    price: str | None = None
    sku: str | None = None
    inventory_quantity: int | None = None


class Product(ShopifyResource):
    """``products/*``"""

    title: str | None = None
    handle: str | None = None
    body_html: str | None = None
    vendor: str | None = None
    product_type: str | None = None
    status: str | None = None
    tags: str | None = None
    variants: list[ProductVariant] = Field(default_factory=list)


def _shape(data: dict[str, Any]) -> str | None:
    if "line_items" in data and ("order_number" in data or "financial_status" in data):
        return "order"
    if "variants" in data and "handle" in data:
        return "product"
    gid = data.get("admin_graphql_api_id")
    if isinstance(gid, str) and gid.startswith("gid://shopify/Customer/"):
        return "customer"
    return None


parse_payload = payload_parser(
    ShopifyResource, {"order": Order, "product": Product, "customer": Customer}, key_of=_shape
)
"""Parse a decoded Shopify body into :class:`Order`, :class:`Product`, :class:`Customer` or
:class:`ShopifyResource` (by shape; the topic is a header)."""
