"""The provider conformance suite of ``hookpoint.testing``, run on the LINE plugin."""

from __future__ import annotations

import hookpoint_line
from hookpoint.testing import ProviderConformance


class TestLineConformance(ProviderConformance):
    provider = "line"
    plugin = hookpoint_line.PLUGIN
