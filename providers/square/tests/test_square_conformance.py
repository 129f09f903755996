"""The provider conformance suite of ``hookpoint.testing``, run on the Square plugin."""

from __future__ import annotations

import hookpoint_square
from hookpoint.testing import ProviderConformance


class TestSquareConformance(ProviderConformance):
    provider = "square"
    plugin = hookpoint_square.PLUGIN
