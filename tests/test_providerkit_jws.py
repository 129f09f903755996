"""``hookpoint.providerkit``'s compact HS256 JWS: tokens it signs are RFC 7515 tokens (checked
with the recipe written out), it refuses other algorithms and malformed tokens, tries every
secret, and ``JwsBodyHashSignature`` ties a token to the body through its hash claim."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from hookpoint import WebhookRequest
from hookpoint.providerkit import (
    REASON_BODY_HASH_MISMATCH,
    REASON_CLAIM_MISMATCH,
    REASON_TOKEN_EXPIRED,
    JwsBodyHashSignature,
    jws_hs256_sign,
    jws_hs256_verify,
)


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_signed_tokens_follow_rfc_7515() -> None:
    token = jws_hs256_sign({"iss": "acme", "n": 1}, "s3cret")
    head, body, mac = token.split(".")
    assert "=" not in token
    assert json.loads(b64url_decode(head)) == {"alg": "HS256", "typ": "JWT"}
    assert json.loads(b64url_decode(body)) == {"iss": "acme", "n": 1}
    expected = hmac.new(b"s3cret", f"{head}.{body}".encode(), hashlib.sha256).digest()
    assert b64url_decode(mac) == expected


def test_verify_returns_claims_for_any_configured_secret() -> None:
    token = jws_hs256_sign({"iss": "acme"}, "new")
    verdict, claims = jws_hs256_verify(token, ["old", "new"])
    assert verdict.success and claims == {"iss": "acme"}
    verdict, claims = jws_hs256_verify(token, ["old"])
    assert (verdict.reason, claims) == ("signature mismatch", None)
    assert jws_hs256_verify(token, [])[0].reason == "no secret configured"
    assert jws_hs256_verify(None, ["new"])[0].reason == "missing signature header"


@pytest.mark.parametrize(
    "token",
    [
        "a.b",
        "a.b.c.d",
        "!!.e30.AA",
        "eyJhbGciOiJub25lIn0.e30.",  # alg none
        "e30.e30.AA",  # no alg
        "eyJhbGciOiJIUzI1NiJ9.W10.AA",  # payload is a list
        "eyJhbGciOiJIUzI1NiJ9.e30=.AA",  # padding is not base64url
        "é.é.é",
    ],
)
def test_malformed_tokens_are_refused(token: str) -> None:
    verdict, claims = jws_hs256_verify(token, ["s"])
    assert (verdict.reason, claims) == ("malformed signature", None)


def request(body: bytes, token: str | None) -> WebhookRequest:
    headers = [("X-Sig", token)] if token is not None else []
    return WebhookRequest(url="https://hooks.example.com/x", headers=headers, body=body)


SCHEME = JwsBodyHashSignature("X-Sig", claims={"iss": "acme"})


def test_body_hash_scheme_round_trip_and_refusals() -> None:
    signed = SCHEME.sign(request(b'{"a":1}', None), "k")
    assert SCHEME.verify(signed, ["k"], now=0).success
    claims = json.loads(b64url_decode(signed.headers["X-Sig"].split(".")[1]))
    assert claims == {"iss": "acme", "sha256": hashlib.sha256(b'{"a":1}').hexdigest()}
    moved = request(b'{"a":2}', signed.headers["X-Sig"])
    assert SCHEME.verify(moved, ["k"], now=0).reason == REASON_BODY_HASH_MISMATCH
    other = jws_hs256_sign({"iss": "other", "sha256": claims["sha256"]}, "k")
    assert SCHEME.verify(request(b'{"a":1}', other), ["k"], now=0).reason == REASON_CLAIM_MISMATCH
    expiring = jws_hs256_sign({**claims, "exp": 100}, "k")
    assert SCHEME.verify(request(b'{"a":1}', expiring), ["k"], now=99).success
    assert SCHEME.verify(request(b'{"a":1}', expiring), ["k"], now=100).reason == (
        REASON_TOKEN_EXPIRED
    )
    assert SCHEME.verify(request(b"{}", None), ["k"], now=0).reason == "missing signature header"
    twice = WebhookRequest(
        url="https://hooks.example.com/x",
        headers=[("X-Sig", signed.headers["X-Sig"])] * 2,
        body=b'{"a":1}',
    )
    assert SCHEME.verify(twice, ["k"], now=0).reason == "malformed signature"
