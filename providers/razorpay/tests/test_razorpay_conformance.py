"""The provider conformance suite of ``hookpoint.testing``, run on the Razorpay plugin."""

from __future__ import annotations

import hookpoint_razorpay
from hookpoint.testing import ProviderConformance


class TestRazorpayConformance(ProviderConformance):
    provider = "razorpay"
    plugin = hookpoint_razorpay.PLUGIN
