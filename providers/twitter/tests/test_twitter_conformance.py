"""The provider conformance suite of ``hookpoint.testing``, run on the Twitter plugin."""

from __future__ import annotations

import hookpoint_twitter
from hookpoint.testing import ProviderConformance


class TestTwitterConformance(ProviderConformance):
    provider = "twitter"
    plugin = hookpoint_twitter.PLUGIN
