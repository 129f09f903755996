"""The provider conformance suite of ``hookpoint.testing``, run on the Intercom plugin."""

from __future__ import annotations

import hookpoint_intercom
from hookpoint.testing import ProviderConformance


class TestIntercomConformance(ProviderConformance):
    provider = "intercom"
    plugin = hookpoint_intercom.PLUGIN
