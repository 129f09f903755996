"""The provider conformance suite of ``hookpoint.testing``, run on the Zoom plugin."""

from __future__ import annotations

import hookpoint_zoom
from hookpoint.testing import ProviderConformance


class TestZoomConformance(ProviderConformance):
    provider = "zoom"
    plugin = hookpoint_zoom.PLUGIN
