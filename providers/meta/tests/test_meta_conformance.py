"""The provider conformance suite of ``hookpoint.testing``, run on the Meta plugin."""

from __future__ import annotations

from hookpoint.testing import ProviderConformance
from hookpoint_meta import PLUGIN


class TestMetaConformance(ProviderConformance):
    provider = "meta"
    plugin = PLUGIN


class TestMetaConformanceViaEntryPoints(ProviderConformance):
    """The same suite with the plugin found through its installed entry point."""

    provider = "meta"
