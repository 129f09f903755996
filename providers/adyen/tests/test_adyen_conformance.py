"""The provider conformance suite of ``hookpoint.testing``, run on the Adyen plugin."""

from __future__ import annotations

import hookpoint_adyen
from hookpoint.testing import ProviderConformance


class TestAdyenConformance(ProviderConformance):
    provider = "adyen"
    plugin = hookpoint_adyen.PLUGIN
    # The signature is each item's additionalData.hmacSignature and covers eight fields, not the
    # raw bytes: test_adyen.py shows each of them is covered.
    signature_in_body = True
    signs_whole_body = False
