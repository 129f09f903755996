"""The provider conformance suite of ``hookpoint.testing``, run on the Netlify plugin."""

from __future__ import annotations

import hookpoint_netlify
from hookpoint.testing import ProviderConformance


class TestNetlifyConformance(ProviderConformance):
    provider = "netlify"
    plugin = hookpoint_netlify.PLUGIN
