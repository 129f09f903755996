"""The provider conformance suite of ``hookpoint.testing``, run on the Vercel plugin."""

from __future__ import annotations

import hookpoint_vercel
from hookpoint.testing import ProviderConformance


class TestVercelConformance(ProviderConformance):
    provider = "vercel"
    plugin = hookpoint_vercel.PLUGIN
