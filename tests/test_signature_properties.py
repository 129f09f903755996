"""Properties of signature verification: signed bodies verify; any one-byte change fails."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any, Literal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hookpoint import signing
from hookpoint._request import WebhookRequest
from hookpoint._signature import verify_request_signature

URL = "https://hooks.example.test/webhooks/ep"
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

secrets_st = st.one_of(st.text(min_size=1, max_size=64), st.binary(min_size=1, max_size=64))
bodies = st.binary(max_size=2048)
algorithms = st.sampled_from(["sha1", "sha256", "sha512"])
encodings = st.sampled_from(["hex", "base64", "base64url", "base64-unpadded"])
prefixes = st.sampled_from(["", "sha256=", "v1=", "v0="])


def _key(secret: str | bytes) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


def _encode(digest: bytes, encoding: str) -> str:
    if encoding == "hex":
        return digest.hex()
    if encoding == "base64":
        return base64.b64encode(digest).decode()
    if encoding == "base64url":
        return base64.urlsafe_b64encode(digest).decode()
    return base64.b64encode(digest).decode().rstrip("=")


def _verify(body: bytes, value: str, secret: Any, algorithm: str, encoding: str) -> Any:
    request = WebhookRequest(url=URL, headers=[("X-Signature", value)], body=body)
    mode: Literal["hex", "base64"] = "hex" if encoding == "hex" else "base64"
    return verify_request_signature(
        request, header_name="x-signature", secret=secret, algorithm=algorithm, encoding=mode
    )


@settings(max_examples=300)
@given(body=bodies, secret=secrets_st, algorithm=algorithms, encoding=encodings, prefix=prefixes)
def test_correctly_signed_body_always_verifies(
    body: bytes, secret: str | bytes, algorithm: str, encoding: str, prefix: str
) -> None:
    digest = hmac.new(_key(secret), body, getattr(hashlib, algorithm)).digest()
    value = prefix + _encode(digest, encoding)
    assert _verify(body, value, secret, algorithm, encoding)
    assert _verify(body, value, ["another secret", secret], algorithm, encoding)  # rotation
    request = WebhookRequest(url=URL, headers={"x-signature": value}, body=body)
    assert verify_request_signature(
        request, header_name="X-Signature", secret=secret, algorithm=algorithm
    )  # "auto" finds the encoding


@settings(max_examples=300)
@given(
    body=bodies.filter(bool),
    secret=secrets_st,
    algorithm=algorithms,
    encoding=encodings,
    position=st.integers(min_value=0),
    xor=st.integers(min_value=1, max_value=255),
)
def test_any_one_byte_change_of_the_body_fails(
    body: bytes, secret: str | bytes, algorithm: str, encoding: str, position: int, xor: int
) -> None:
    digest = hmac.new(_key(secret), body, getattr(hashlib, algorithm)).digest()
    value = _encode(digest, encoding)
    index = position % len(body)
    changed = body[:index] + bytes([body[index] ^ xor]) + body[index + 1 :]
    result = _verify(changed, value, secret, algorithm, encoding)
    assert not result and result.reason == "signature mismatch"


@settings(max_examples=500)
@given(
    body=bodies,
    secret=secrets_st,
    algorithm=algorithms,
    encoding=encodings,
    position=st.integers(min_value=0),
    replacement=st.characters(codec="utf-8"),
)
def test_any_one_character_change_of_the_signature_fails(
    body: bytes,
    secret: str | bytes,
    algorithm: str,
    encoding: str,
    position: int,
    replacement: str,
) -> None:
    digest = hmac.new(_key(secret), body, getattr(hashlib, algorithm)).digest()
    value = _encode(digest, encoding)
    index = position % len(value)
    original = value[index]
    # Spellings of the same digest are not changes: hex case, the two base64 alphabets, and
    # a padding "=" turned into a separator (padding is optional; see the test below).
    same = {original, original.lower(), original.upper()} if encoding == "hex" else {original}
    same |= {"+": {"-"}, "/": {"_"}, "-": {"+"}, "_": {"/"}}.get(original, set())
    assume(replacement not in same)
    assume(not (original == "=" and (replacement.isspace() or replacement == ",")))
    changed = value[:index] + replacement + value[index + 1 :]
    result = _verify(body, changed, secret, algorithm, encoding)
    assert not result
    assert result.reason in ("signature mismatch", "malformed signature")


@settings(max_examples=300)
@given(
    value=st.one_of(st.text(max_size=300), st.binary(max_size=300)),
    body=bodies,
    algorithm=algorithms,
)
def test_hostile_header_values_never_raise_and_never_verify(
    value: str | bytes, body: bytes, algorithm: str
) -> None:
    request = WebhookRequest(url=URL, headers=[(b"X-Signature", value)], body=body)
    for encoding in ("hex", "base64", "auto"):
        result = verify_request_signature(
            request,
            header_name="x-signature",
            secret="s3cret",
            algorithm=algorithm,
            encoding=encoding,
        )
        assert not result and result.reason


@settings(max_examples=200)
@given(secret=secrets_st, body=bodies, digest_index=st.integers(min_value=0, max_value=7))
def test_other_secrets_digest_never_verifies(
    secret: str | bytes, body: bytes, digest_index: int
) -> None:
    other = _key(secret) + b"x"
    value = hmac.new(other, body, hashlib.sha256).hexdigest()
    assert not _verify(body, value, secret, "sha256", "hex")


@given(
    value=st.text(max_size=200),
    sep=st.sampled_from([",", ";", " "]),
)
def test_header_parsers_never_raise(value: str, sep: str) -> None:
    for key, val in signing.parse_signature_header(value, pair_sep=sep):
        assert key and isinstance(val, str)
    for version, sig in signing.parse_space_separated_versions(value):
        assert version and sig
    assert signing.check_timestamp(value, 1.7e9, 300) in (
        None,
        "missing timestamp",
        "malformed timestamp",
        "timestamp too old",
        "timestamp in the future",
    )
    signing.decode_signature(value, "auto")


@given(data=st.binary(min_size=1, max_size=80))
def test_decoding_round_trips(data: bytes) -> None:
    assert signing.decode_signature(data.hex(), "hex") == data
    assert signing.decode_signature(data.hex().upper(), "hex") == data
    std = base64.b64encode(data).decode()
    assert signing.decode_signature(std, "base64") == data
    assert signing.decode_signature(std.rstrip("="), "base64") == data
    assert signing.decode_signature(base64.urlsafe_b64encode(data).decode(), "base64") == data


@given(
    data=st.binary(min_size=1, max_size=80),
    position=st.integers(min_value=0),
    replacement=st.sampled_from(B64),
)
def test_each_base64_string_decodes_to_at_most_one_spelling(
    data: bytes, position: int, replacement: str
) -> None:
    std = base64.b64encode(data).decode()
    body = std.rstrip("=")
    index = position % len(body)
    assume(replacement != body[index])
    changed = body[:index] + replacement + body[index + 1 :]
    assert signing.decode_signature(changed, "base64") != data


def test_padding_is_optional_so_a_pad_may_become_a_separator() -> None:
    body, secret = b"payload", "s"
    value = base64.b64encode(hmac.new(b"s", body, hashlib.sha256).digest()).decode()
    assert value.endswith("=")
    for spelling in (value[:-1], value[:-1] + " ", value[:-1] + ","):
        assert _verify(body, spelling, secret, "sha256", "base64")
