"""The provider conformance suite of ``hookpoint.testing``, run on the Calendly plugin."""

from __future__ import annotations

import hookpoint_calendly
from hookpoint.testing import ProviderConformance


class TestCalendlyConformance(ProviderConformance):
    provider = "calendly"
    plugin = hookpoint_calendly.PLUGIN
