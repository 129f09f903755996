"""The provider conformance suite of ``hookpoint.testing``, run on the WorkOS plugin."""

from __future__ import annotations

import hookpoint_workos
from hookpoint.testing import ProviderConformance


class TestWorkOSConformance(ProviderConformance):
    provider = "workos"
    plugin = hookpoint_workos.PLUGIN
