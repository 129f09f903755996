"""The provider conformance suite of ``hookpoint.testing``, run on the HubSpot plugin."""

from __future__ import annotations

import hookpoint_hubspot
from hookpoint.testing import ProviderConformance


class TestHubSpotConformance(ProviderConformance):
    provider = "hubspot"
    plugin = hookpoint_hubspot.PLUGIN
