"""The provider conformance suite of ``hookpoint.testing``, run on the StandardWebhooks plugin."""

from __future__ import annotations

import hookpoint_standardwebhooks
from hookpoint.testing import ProviderConformance


class TestStandardWebhooksConformance(ProviderConformance):
    provider = "standardwebhooks"
    plugin = hookpoint_standardwebhooks.PLUGIN
