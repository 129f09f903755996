"""The provider conformance suite of ``hookpoint.testing``, run on the GitHub plugin."""

from __future__ import annotations

import hookpoint_github
from hookpoint.testing import ProviderConformance


class TestGitHubConformance(ProviderConformance):
    provider = "github"
    plugin = hookpoint_github.PLUGIN
