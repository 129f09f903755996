"""The provider conformance suite of ``hookpoint.testing``, run on the Resend plugin."""

from __future__ import annotations

import hookpoint_resend
from hookpoint.testing import ProviderConformance


class TestResendConformance(ProviderConformance):
    provider = "resend"
    plugin = hookpoint_resend.PLUGIN
