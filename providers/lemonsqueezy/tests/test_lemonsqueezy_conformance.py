"""The provider conformance suite of ``hookpoint.testing``, run on the LemonSqueezy plugin."""

from __future__ import annotations

import hookpoint_lemonsqueezy
from hookpoint.testing import ProviderConformance


class TestLemonSqueezyConformance(ProviderConformance):
    provider = "lemonsqueezy"
    plugin = hookpoint_lemonsqueezy.PLUGIN
