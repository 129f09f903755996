"""The provider conformance suite of ``hookpoint.testing``, run on the Slack plugin."""

from __future__ import annotations

import hookpoint_slack
from hookpoint.testing import ProviderConformance


class TestSlackConformance(ProviderConformance):
    provider = "slack"
    plugin = hookpoint_slack.PLUGIN
