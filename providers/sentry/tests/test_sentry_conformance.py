"""The provider conformance suite of ``hookpoint.testing``, run on the Sentry plugin."""

from __future__ import annotations

import hookpoint_sentry
from hookpoint.testing import ProviderConformance


class TestSentryConformance(ProviderConformance):
    provider = "sentry"
    plugin = hookpoint_sentry.PLUGIN
