"""The provider conformance suite of ``hookpoint.testing``, run on the Mux plugin."""

from __future__ import annotations

import hookpoint_mux
from hookpoint.testing import ProviderConformance


class TestMuxConformance(ProviderConformance):
    provider = "mux"
    plugin = hookpoint_mux.PLUGIN
