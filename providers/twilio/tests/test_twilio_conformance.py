"""The provider conformance suite of ``hookpoint.testing``, run on the Twilio plugin."""

from __future__ import annotations

import hookpoint_twilio
from hookpoint.testing import ProviderConformance


class TestTwilioConformance(ProviderConformance):
    provider = "twilio"
    plugin = hookpoint_twilio.PLUGIN
