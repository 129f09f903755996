"""Hookpoint provider plugin for Shopify webhooks (HTTPS delivery).

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``shopify = "hookpoint_shopify:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour:
https://shopify.dev/docs/apps/build/webhooks/verify-deliveries.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import EVENT, EVENT_TYPES, SIGNATURE, ShopifySettings
from ._samples import SAMPLES

__all__ = [
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE",
    "ShopifySettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "shopify"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Shopify",
    icon="shopify",
    icon_svg=read_icon(__name__),
    docs_url="https://shopify.dev/docs/apps/build/webhooks/verify-deliveries",
    settings_model=ShopifySettings,
    samples=SAMPLES,
    event_types=EVENT_TYPES,
    verification=f"{SIGNATURE.header}: base64 HMAC-SHA256 of the raw body keyed with the app's "
    "client secret",
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[ShopifySettings] = ProviderPlugin(PROVIDER, scheme=SIGNATURE, events=EVENT)
