"""The provider conformance suite of ``hookpoint.testing``, run on the Twitch plugin."""

from __future__ import annotations

import hookpoint_twitch
from hookpoint.testing import ProviderConformance


class TestTwitchConformance(ProviderConformance):
    provider = "twitch"
    plugin = hookpoint_twitch.PLUGIN
