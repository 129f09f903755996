"""The provider conformance suite of ``hookpoint.testing``, run on the Linear plugin."""

from __future__ import annotations

import hookpoint_linear
from hookpoint.testing import ProviderConformance


class TestLinearConformance(ProviderConformance):
    provider = "linear"
    plugin = hookpoint_linear.PLUGIN
