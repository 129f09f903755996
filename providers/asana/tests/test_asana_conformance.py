"""The provider conformance suite of ``hookpoint.testing``, run on the Asana plugin."""

from __future__ import annotations

import hookpoint_asana
from hookpoint.testing import ProviderConformance


class TestAsanaConformance(ProviderConformance):
    provider = "asana"
    plugin = hookpoint_asana.PLUGIN
