"""The provider conformance suite of ``hookpoint.testing``, run on the Discord plugin."""

from __future__ import annotations

import hookpoint_discord
from hookpoint.testing import ProviderConformance


class TestDiscordConformance(ProviderConformance):
    provider = "discord"
    plugin = hookpoint_discord.PLUGIN
    # the signed time is checked only with a tolerance (off by default, see the README)
    timestamp_settings = {"tolerance": 300}
