"""The provider conformance suite of ``hookpoint.testing``, run on the Bitbucket plugin."""

from __future__ import annotations

import hookpoint_bitbucket
from hookpoint.testing import ProviderConformance


class TestBitbucketConformance(ProviderConformance):
    provider = "bitbucket"
    plugin = hookpoint_bitbucket.PLUGIN
