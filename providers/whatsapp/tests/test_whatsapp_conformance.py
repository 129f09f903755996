"""The provider conformance suite of ``hookpoint.testing``, run on the WhatsApp plugin."""

from __future__ import annotations

from hookpoint.testing import ProviderConformance
from hookpoint_whatsapp import PLUGIN


class TestWhatsappConformance(ProviderConformance):
    provider = "whatsapp"
    plugin = PLUGIN


class TestWhatsappConformanceViaEntryPoints(ProviderConformance):
    """The same suite with the plugin found through its installed entry point."""

    provider = "whatsapp"
