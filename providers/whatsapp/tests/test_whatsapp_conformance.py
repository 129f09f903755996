"""The provider conformance suite of ``hookpoint.testing``, run on the WhatsApp plugin."""

from __future__ import annotations

import hookpoint_whatsapp
from hookpoint.testing import ProviderConformance


class TestWhatsappConformance(ProviderConformance):
    provider = "whatsapp"
    plugin = hookpoint_whatsapp


class TestWhatsappConformanceViaEntryPoints(ProviderConformance):
    """The same suite with the plugin found through its installed entry point."""

    provider = "whatsapp"
