"""The provider conformance suite of ``hookpoint.testing``, run on the cal.com plugin."""

from __future__ import annotations

import hookpoint_caldotcom
from hookpoint.testing import ProviderConformance


class TestCaldotcomConformance(ProviderConformance):
    provider = "caldotcom"
    plugin = hookpoint_caldotcom
