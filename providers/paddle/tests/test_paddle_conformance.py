"""The provider conformance suite of ``hookpoint.testing``, run on the Paddle plugin."""

from __future__ import annotations

import hookpoint_paddle
from hookpoint.testing import ProviderConformance


class TestPaddleConformance(ProviderConformance):
    provider = "paddle"
    plugin = hookpoint_paddle.PLUGIN
