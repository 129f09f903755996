"""The provider conformance suite of ``hookpoint.testing``, run on the Sendgrid plugin."""

from __future__ import annotations

import hookpoint_sendgrid
from hookpoint.testing import ProviderConformance


class TestSendgridConformance(ProviderConformance):
    provider = "sendgrid"
    plugin = hookpoint_sendgrid
