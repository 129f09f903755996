"""The provider conformance suite of ``hookpoint.testing``, run on the Typeform plugin."""

from __future__ import annotations

import hookpoint_typeform
from hookpoint.testing import ProviderConformance


class TestTypeformConformance(ProviderConformance):
    provider = "typeform"
    plugin = hookpoint_typeform.PLUGIN
