"""The provider conformance suite of ``hookpoint.testing``, run on the Braintree plugin."""

from __future__ import annotations

import hookpoint_braintree
from hookpoint.testing import ProviderConformance


class TestBraintreeConformance(ProviderConformance):
    provider = "braintree"
    plugin = hookpoint_braintree.PLUGIN
    # bt_signature is a form field next to bt_payload: the sign hook writes it into the body.
    signature_in_body = True
