"""The provider conformance suite of ``hookpoint.testing``, run on the Mailgun plugin."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode

import hookpoint_mailgun
from hookpoint import Sample
from hookpoint.testing import ProviderConformance, request_from_sample


def _without(sample: Sample, field: str | None) -> bytes:
    """The sample's body with one signed field changed (``None``: the signature removed)."""
    if sample.body.startswith(b"{"):
        data = json.loads(sample.body)
        if field is None:
            del data["signature"]
        else:
            data["signature"][field] += "1"
        return json.dumps(data).encode()
    pairs = parse_qsl(sample.body.decode())
    if field is None:
        return urlencode([(k, v) for k, v in pairs if k != "signature"]).encode()
    return urlencode([(k, v + "1" if k == field else v) for k, v in pairs]).encode()


class TestMailgunConformance(ProviderConformance):
    provider = "mailgun"
    plugin = hookpoint_mailgun.PLUGIN

    # Mailgun signs ``timestamp + token`` inside the body, not the body and not a header: the
    # kit's two header/body checks are replaced by the equivalent checks for this scheme.

    def test_sample_fails_when_body_changes(self, delivery_sample: Sample | None) -> None:
        sample = self._delivery(delivery_sample)
        for field in ("timestamp", "token", "signature"):
            tampered = request_from_sample(
                sample, provider=self.provider, body=_without(sample, field)
            )
            assert not self._verify(tampered, sample).success, field

    def test_sample_fails_without_signature(self, delivery_sample: Sample | None) -> None:
        sample = self._delivery(delivery_sample)
        stripped = request_from_sample(sample, provider=self.provider, body=_without(sample, None))
        assert not self._verify(stripped, sample).success
