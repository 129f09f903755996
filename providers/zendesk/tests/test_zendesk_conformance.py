"""The provider conformance suite of ``hookpoint.testing``, run on the Zendesk plugin."""

from __future__ import annotations

import hookpoint_zendesk
from hookpoint.testing import ProviderConformance


class TestZendeskConformance(ProviderConformance):
    provider = "zendesk"
    plugin = hookpoint_zendesk.PLUGIN
