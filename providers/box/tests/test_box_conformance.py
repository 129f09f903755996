"""The provider conformance suite of ``hookpoint.testing``, run on the Box plugin."""

from __future__ import annotations

import hookpoint_box
from hookpoint.testing import ProviderConformance


class TestBoxConformance(ProviderConformance):
    provider = "box"
    plugin = hookpoint_box.PLUGIN
