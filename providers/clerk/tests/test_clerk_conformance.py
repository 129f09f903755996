"""The provider conformance suite of ``hookpoint.testing``, run on the Clerk plugin."""

from __future__ import annotations

import hookpoint_clerk
from hookpoint.testing import ProviderConformance


class TestClerkConformance(ProviderConformance):
    provider = "clerk"
    plugin = hookpoint_clerk.PLUGIN
