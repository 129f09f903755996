"""The provider conformance suite of ``hookpoint.testing``, run on the cal.com plugin."""

from __future__ import annotations

from hookpoint.testing import ProviderConformance
from hookpoint_caldotcom import PLUGIN


class TestCaldotcomConformance(ProviderConformance):
    provider = "caldotcom"
    plugin = PLUGIN
