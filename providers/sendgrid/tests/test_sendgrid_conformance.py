"""The provider conformance suite of ``hookpoint.testing``, run on the Sendgrid plugin."""

from __future__ import annotations

import hookpoint_sendgrid
from hookpoint.testing import ProviderConformance


class TestSendgridConformance(ProviderConformance):
    provider = "sendgrid"
    plugin = hookpoint_sendgrid.PLUGIN
    # the signed time is checked only with a tolerance (off by default, see the README)
    timestamp_settings = {"tolerance": 300}
