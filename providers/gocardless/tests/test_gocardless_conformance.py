"""The provider conformance suite of ``hookpoint.testing``, run on the GoCardless plugin."""

from __future__ import annotations

import hookpoint_gocardless
from hookpoint.testing import ProviderConformance


class TestGoCardlessConformance(ProviderConformance):
    provider = "gocardless"
    plugin = hookpoint_gocardless.PLUGIN
