"""Shopify's webhook HMAC and event description (see
https://shopify.dev/docs/apps/build/webhooks/verify-deliveries).

``X-Shopify-Hmac-Sha256`` = base64 HMAC-SHA256 of the raw body keyed with the app's client
secret (HTTPS deliveries; Pub/Sub and EventBridge deliveries are not signed). After a secret
rotation Shopify may keep signing with the old secret for up to an hour: configure both. Nothing
time-bound is signed; ``X-Shopify-Webhook-Id`` is the dedupe id Shopify documents.
"""

from __future__ import annotations

from hookpoint.providerkit import EventSpec, HeaderSignature, HmacScheme, ProviderSettings

__all__ = ["EVENT", "EVENT_TYPES", "SIGNATURE", "ShopifySettings"]

SIGNATURE = HeaderSignature("X-Shopify-Hmac-Sha256", HmacScheme(encoding="base64"))

EVENT = EventSpec(
    type=("header:X-Shopify-Topic",),
    id=("header:X-Shopify-Webhook-Id",),
    time=("header:X-Shopify-Triggered-At",),
    fields={
        "shop_domain": "header:X-Shopify-Shop-Domain",
        "api_version": "header:X-Shopify-API-Version",
        "event_id": "header:X-Shopify-Event-Id",
        "sub_topic": "header:X-Shopify-Sub-Topic",
        "resource_id": "body:id",
    },
)

# Common webhook topics (https://shopify.dev/docs/api/webhooks); unknown ones pass through.
EVENT_TYPES: tuple[str, ...] = (
    "app/uninstalled",
    "app_subscriptions/update",
    "carts/create",
    "carts/update",
    "checkouts/create",
    "checkouts/delete",
    "checkouts/update",
    "collections/create",
    "collections/delete",
    "collections/update",
    "customers/create",
    "customers/delete",
    "customers/disable",
    "customers/enable",
    "customers/update",
    "customers/data_request",
    "customers/redact",
    "shop/redact",
    "draft_orders/create",
    "draft_orders/delete",
    "draft_orders/update",
    "fulfillments/create",
    "fulfillments/update",
    "inventory_items/create",
    "inventory_items/delete",
    "inventory_items/update",
    "inventory_levels/connect",
    "inventory_levels/disconnect",
    "inventory_levels/update",
    "orders/cancelled",
    "orders/create",
    "orders/delete",
    "orders/edited",
    "orders/fulfilled",
    "orders/paid",
    "orders/partially_fulfilled",
    "orders/updated",
    "products/create",
    "products/delete",
    "products/update",
    "refunds/create",
    "shop/update",
    "subscription_contracts/create",
    "subscription_contracts/update",
    "themes/publish",
)


class ShopifySettings(ProviderSettings):
    """Shopify endpoints take no settings: the app's client secret goes in ``secrets=``."""
