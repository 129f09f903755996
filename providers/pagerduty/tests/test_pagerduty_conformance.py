"""The provider conformance suite of ``hookpoint.testing``, run on the PagerDuty plugin."""

from __future__ import annotations

import hookpoint_pagerduty
from hookpoint.testing import ProviderConformance


class TestPagerDutyConformance(ProviderConformance):
    provider = "pagerduty"
    plugin = hookpoint_pagerduty.PLUGIN
