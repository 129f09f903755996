"""The provider conformance suite of ``hookpoint.testing``, run on the Microsoft Graph plugin."""

from __future__ import annotations

import json

import hookpoint_msgraph
from hookpoint import Sample
from hookpoint.testing import ProviderConformance, request_from_sample


class TestMsgraphConformance(ProviderConformance):
    provider = "msgraph"
    plugin = hookpoint_msgraph.PLUGIN

    # Graph sends no signature: the secret is the clientState inside the body. These two kit
    # checks assume a signature header over the whole body, so they are replaced by the
    # equivalent checks for this scheme.

    def test_sample_fails_when_body_changes(self, delivery_sample: Sample | None) -> None:
        sample = self._delivery(delivery_sample)
        data = json.loads(sample.body)
        data["value"][0]["clientState"] += "x"
        tampered = request_from_sample(
            sample, provider=self.provider, body=json.dumps(data).encode()
        )
        assert not self._verify(tampered, sample).success

    def test_sample_fails_without_signature(self, delivery_sample: Sample | None) -> None:
        sample = self._delivery(delivery_sample)
        data = json.loads(sample.body)
        del data["value"][0]["clientState"]
        stripped = request_from_sample(
            sample, provider=self.provider, body=json.dumps(data).encode()
        )
        assert self._verify(stripped, sample).reason == "missing clientState"
