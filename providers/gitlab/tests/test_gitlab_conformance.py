"""The provider conformance suite of ``hookpoint.testing``, run on the GitLab plugin."""

from __future__ import annotations

import hookpoint_gitlab
from hookpoint import Sample
from hookpoint.testing import ProviderConformance


class TestGitlabConformance(ProviderConformance):
    provider = "gitlab"
    plugin = hookpoint_gitlab.PLUGIN

    def test_sample_fails_when_body_changes(self, delivery_sample: Sample | None) -> None:
        """GitLab's secret token does not cover the body (a tampered body still carries the
        right token): only the signing-token samples must fail; the token samples are checked
        by test_gitlab.py::test_token_does_not_cover_the_body instead."""
        if delivery_sample is not None and delivery_sample.secret.startswith("whsec_"):
            super().test_sample_fails_when_body_changes(delivery_sample)
