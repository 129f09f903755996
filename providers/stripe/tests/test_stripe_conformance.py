"""The provider conformance suite of ``hookpoint.testing``, run on the Stripe plugin."""

from __future__ import annotations

import hookpoint_stripe
from hookpoint.testing import ProviderConformance


class TestStripeConformance(ProviderConformance):
    provider = "stripe"
    plugin = hookpoint_stripe.PLUGIN
