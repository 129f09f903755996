"""Netlify provider, checked against Netlify's documented algorithm
(https://docs.netlify.com/site-deploys/deploy-notifications/, "Payload signature":
``X-Webhook-Signature`` is an HS256 JWS keyed with the JWS secret token whose claims are
``iss: "netlify"`` and ``sha256``: the hex SHA-256 of the body; Netlify ships no Python SDK that
verifies it). Tokens are built by hand from that recipe and with PyJWT, and the provider's own
tokens are decoded with PyJWT; then the description and model of every sample."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest

import hookpoint_netlify as netlify
from hookpoint.providerkit import with_body, with_headers
from hookpoint.testing import (
    PluginHost,
    describe_request,
    load_plugins,
    plugin_host,
    sign_sample,
    verify_request,
)

NAME = "netlify"
SECRET = netlify.SIGNING_SECRET
HEADER = "X-Webhook-Signature"
ROTATED = "the-next-jws-secret-token-in-a-rotation"
NAMES = [sample.name for sample in netlify.SAMPLES]


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return plugin_host(netlify.PLUGIN)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_made_token(claims: dict[str, Any], secret: str, alg: str = "HS256") -> str:
    """The JWS recipe of RFC 7515 written out: header.payload.HMAC-SHA256(header.payload)."""
    head = b64url(json.dumps({"typ": "JWT", "alg": alg}).encode())
    body = b64url(json.dumps(claims).encode())
    mac = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(mac)}"


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@pytest.mark.parametrize("name", NAMES)
def test_provider_tokens_decode_with_pyjwt(host: PluginHost, name: str) -> None:
    signed = sign_sample(host, NAME, name)
    claims = jwt.decode(signed.headers[HEADER], SECRET, algorithms=["HS256"], issuer="netlify")
    assert claims == {"iss": "netlify", "sha256": body_hash(signed.body)}
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(signed.headers[HEADER], ROTATED, algorithms=["HS256"])


@pytest.mark.parametrize("name", NAMES)
def test_documented_tokens_verify(host: PluginHost, name: str) -> None:
    signed = sign_sample(host, NAME, name)
    claims = {"iss": "netlify", "sha256": body_hash(signed.body)}
    for token in (hand_made_token(claims, ROTATED), jwt.encode(claims, ROTATED, "HS256")):
        request = with_headers(signed, {HEADER: token})
        assert verify_request(host, NAME, request, [SECRET, ROTATED]).success
        assert verify_request(host, NAME, request, [SECRET]).reason == "signature mismatch"
        changed = with_body(request, signed.body.replace(b"acme", b"acmf"))
        assert verify_request(host, NAME, changed, [ROTATED]).reason == "body hash mismatch"


def test_claims_and_algorithm_are_checked(host: PluginHost) -> None:
    signed = sign_sample(host, NAME, "deploy.ready")
    digest = body_hash(signed.body)

    def reason(token: str) -> str | None:
        return verify_request(host, NAME, with_headers(signed, {HEADER: token}), [SECRET]).reason

    assert reason(hand_made_token({"iss": "github", "sha256": digest}, SECRET)) == "claim mismatch"
    assert reason(hand_made_token({"sha256": digest}, SECRET)) == "claim mismatch"
    assert reason(hand_made_token({"iss": "netlify"}, SECRET)) == "body hash mismatch"
    assert reason(hand_made_token({"iss": "netlify", "sha256": digest.upper()}, SECRET)) == ""
    # a token that names another algorithm is refused, even with a valid HMAC-SHA256
    claims = {"iss": "netlify", "sha256": digest}
    assert reason(hand_made_token(claims, SECRET, alg="HS512")) == "malformed signature"
    head = b64url(b'{"alg":"none"}')
    assert reason(f"{head}.{b64url(json.dumps(claims).encode())}.") == "malformed signature"
    assert reason("not-a-jws") == "malformed signature"
    assert reason(jwt.encode({**claims, "exp": 1}, SECRET, "HS256")) == "token expired"


def test_describe(host: PluginHost) -> None:
    info = describe_request(host, NAME, sign_sample(host, NAME, "deploy.ready"))
    assert info is not None
    assert info.type == "deploy.ready"
    assert info.id == "5ebc34bf4fea0b01f02efa3a:ready:2020-05-13T17:58:56.738Z"
    assert info.time == datetime(2020, 5, 13, 17, 58, 56, 738000, tzinfo=UTC)
    assert info.fields["site_name"] == "acme-docs" and info.fields["context"] == "production"
    assert info.fields["deploy_url"] == "https://5ebc34bf4fea0b01f02efa3a--acme-docs.netlify.app"


@pytest.mark.parametrize("name", NAMES)
def test_every_sample_describes_and_parses(host: PluginHost, name: str) -> None:
    signed = sign_sample(host, NAME, name)
    info = describe_request(host, NAME, signed)
    assert info is not None and info.type == name and info.type in netlify.EVENT_TYPES
    deploy = netlify.parse_payload(json.loads(signed.body))
    assert isinstance(deploy, netlify.NetlifyDeploy)
    assert f"deploy.{deploy.state}" == name and deploy.id == "5ebc34bf4fea0b01f02efa3a"
    assert deploy.updated_at is not None and deploy.branch == "main"
    assert (deploy.error_message is not None) is (name == "deploy.error")


def test_one_deploy_notifies_once_per_state(host: PluginHost) -> None:
    ids = [describe_request(host, NAME, sign_sample(host, NAME, n)).id for n in NAMES]  # type: ignore[union-attr]
    assert len(set(ids)) == len(NAMES)
    again = describe_request(host, NAME, sign_sample(host, NAME, "deploy.ready", now=0))
    assert again is not None and again.id == ids[NAMES.index("deploy.ready")]


def test_plugin_is_installed() -> None:
    record = load_plugins().provider_record(NAME)
    assert (record.distribution, record.module) == ("hookpoint-netlify", "hookpoint_netlify")
