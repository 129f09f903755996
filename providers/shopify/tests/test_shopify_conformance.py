"""The provider conformance suite of ``hookpoint.testing``, run on the Shopify plugin."""

from __future__ import annotations

import hookpoint_shopify
from hookpoint.testing import ProviderConformance


class TestShopifyConformance(ProviderConformance):
    provider = "shopify"
    plugin = hookpoint_shopify.PLUGIN
