"""The provider conformance suite of ``hookpoint.testing``, run on the Telegram plugin."""

from __future__ import annotations

import hookpoint_telegram
from hookpoint import Sample
from hookpoint.testing import ProviderConformance


class TestTelegramConformance(ProviderConformance):
    provider = "telegram"
    plugin = hookpoint_telegram.PLUGIN

    def test_sample_fails_when_body_changes(self, delivery_sample: Sample | None) -> None:
        """Telegram's secret token does not cover the body (a changed Update still carries the
        right token), so the kit's check does not apply; test_telegram.py states the limitation
        (test_the_token_does_not_cover_the_body) and checks that a body which is no Update is
        refused (test_a_body_that_is_not_an_update_is_refused)."""
