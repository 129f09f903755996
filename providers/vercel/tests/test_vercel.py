"""Vercel provider, checked against Vercel's documented algorithm
(https://vercel.com/docs/webhooks/webhooks-api#securing-webhooks: ``x-vercel-signature`` =
hex HMAC-SHA1 of the raw body with the secret; no official Python SDK verifies it), then the
event description and typed models of every sample."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

import hookpoint_vercel as vercel
from hookpoint.providerkit import with_headers
from hookpoint.testing import (
    PluginHost,
    describe_request,
    load_plugins,
    plugin_host,
    sign_sample,
    verify_request,
)

SECRET = vercel.SIGNING_SECRET
NAMES = [sample.name for sample in vercel.SAMPLES]


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(vercel.PLUGIN)


def documented_signature(secret: str, body: bytes) -> str:
    """Vercel's recipe: ``crypto.createHmac('sha1', secret).update(rawBody).digest('hex')``."""
    return hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


@pytest.mark.parametrize("name", NAMES)
def test_signature_is_the_documented_hmac_sha1_both_ways(host: PluginHost, name: str) -> None:
    signed = sign_sample(host, "vercel", name)
    assert signed.headers["x-vercel-signature"] == documented_signature(SECRET, signed.body)
    theirs = with_headers(
        sign_sample(host, "vercel", name),
        {"x-vercel-signature": documented_signature("another-secret", signed.body)},
    )
    assert verify_request(host, "vercel", theirs, ["old-secret", "another-secret"]).success
    assert not verify_request(host, "vercel", theirs, [SECRET]).success
    sha256 = hmac.new(b"another-secret", signed.body, hashlib.sha256).hexdigest()
    wrong_hash = with_headers(theirs, {"x-vercel-signature": sha256})
    assert not verify_request(host, "vercel", wrong_hash, ["another-secret"]).success


def test_describe(host: PluginHost) -> None:
    info = describe_request(host, "vercel", sign_sample(host, "vercel", "deployment.succeeded"))
    assert info is not None
    assert (info.type, info.id) == ("deployment.succeeded", "uev_mJm1dVwUpQ1rUWQTR5DvAYWt")
    assert info.time == datetime(2025, 1, 27, 17, 47, 42, tzinfo=UTC)
    assert info.fields == {
        "deployment_id": "dpl_2qPNFe1RgLvf8CLVfPdBaR6ePCde",
        "deployment_url": "my-site-7q03y4pi5.vercel.app",
        "project_id": "prj_12HKQaOmR5t5Uy6vdcQsNIiZgHGB",
        "team_id": "team_ZspSRT4ljIEEmMHgoDwKWDei",
        "target": "production",
        "region": "iad1",
    }


@pytest.mark.parametrize("name", NAMES)
def test_every_sample_describes_and_parses(host: PluginHost, name: str) -> None:
    signed = sign_sample(host, "vercel", name)
    body = json.loads(signed.body)
    info = describe_request(host, "vercel", signed)
    assert info is not None and (info.type, info.id) == (name, body["id"])
    assert info.type in vercel.EVENT_TYPES
    event = vercel.parse_payload(body)
    assert event.id == body["id"] and event.created_at is not None
    if name.startswith("deployment."):
        assert isinstance(event, vercel.VercelDeploymentEvent) and event.payload is not None
        assert event.payload.deployment is not None
        assert event.payload.deployment.name == "my-site"
        assert event.payload.links is not None and event.payload.target == "production"
    else:
        assert type(event) is vercel.VercelEvent and event.payload is not None


def test_models_keep_unknown_keys() -> None:
    event = vercel.parse_payload(
        {"type": "deployment.ready", "payload": {"deployment": {"id": "d", "new": 1}}}
    )
    assert isinstance(event, vercel.VercelDeploymentEvent) and event.payload is not None
    assert event.payload.deployment is not None
    assert event.payload.deployment.model_extra == {"new": 1}
    with pytest.raises(ValueError):
        vercel.parse_payload({"type": "deployment.ready", "payload": {"regions": "iad1"}})


def test_plugin_is_installed() -> None:
    record = load_plugins().provider_record("vercel")
    assert (record.distribution, record.module) == ("hookpoint-vercel", "hookpoint_vercel")
