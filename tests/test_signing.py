"""hookpoint.signing: the shared primitives, and every catalogue HMAC scheme built on them."""

from __future__ import annotations

import base64
import doctest
import hashlib
import json
import math
from pathlib import Path
from typing import Any

import pytest

import hookpoint._request
import hookpoint._signature
from hookpoint import signing
from hookpoint._request import WebhookRequest

VECTORS: dict[str, dict[str, Any]] = {
    v["id"]: v
    for v in json.loads((Path(__file__).parent / "data" / "provider_vectors.json").read_text())
}


@pytest.mark.parametrize("module", [signing, hookpoint._request, hookpoint._signature])
def test_docstring_examples_run(module: Any) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


# -- HMAC -----------------------------------------------------------------------------------------


def test_hmac_digest_and_signers() -> None:
    secret, body = "It's a Secret to Everybody", b"Hello, World!"
    expected = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert signing.hmac_digest(secret, body).hex() == expected
    assert signing.hmac_digest(secret.encode(), body, "sha256").hex() == expected
    assert signing.sign_hex(secret, body, prefix="sha256=") == "sha256=" + expected
    assert len(signing.hmac_digest("k", b"", "sha1")) == 20
    assert len(signing.hmac_digest("k", b"", "sha512")) == 64
    raw = signing.hmac_digest("k", b"m")
    b64 = signing.sign_base64("k", b"m")
    assert signing.decode_signature(b64, "base64") == raw
    url = signing.sign_base64("k", b"m", urlsafe=True, padding=False)
    assert "=" not in url and "+" not in url and "/" not in url
    assert signing.decode_signature(url, "base64") == raw
    assert signing.sign_base64("k", b"m", prefix="v1,").startswith("v1,")


def test_hmac_developer_errors() -> None:
    with pytest.raises(ValueError, match="md5"):
        signing.hmac_digest("k", b"m", "md5")
    with pytest.raises(TypeError):
        signing.hmac_digest(5, b"m")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        signing.hmac_digest("k", "text")  # type: ignore[arg-type]
    assert signing.digest_size("sha512") == 64


def test_join_message() -> None:
    assert signing.join_message("v0", "1", b"body", sep=":") == b"v0:1:body"
    assert signing.join_message("1", b"b") == b"1b"
    assert signing.join_message("é", sep=b".") == "é".encode()


# -- secrets --------------------------------------------------------------------------------------


def test_secrets_as_bytes() -> None:
    assert signing.secrets_as_bytes(None) == []
    assert signing.secrets_as_bytes("") == []
    assert signing.secrets_as_bytes("é") == ["é".encode()]
    assert signing.secrets_as_bytes([b"a", "a", bytearray(b"b"), ""]) == [b"a", b"b"]
    assert signing.secrets_as_bytes("x" for _ in range(3)) == [b"x"]


def test_secrets_as_bytes_base64_keys_with_prefix() -> None:
    vector = VECTORS["stdwh-sign"]
    keys = signing.secrets_as_bytes(vector["secret"], key_encoding="base64", strip="whsec_")
    assert keys == [base64.b64decode(vector["secret"].removeprefix("whsec_"))]
    assert signing.secrets_as_bytes(["whsec_"], key_encoding="base64", strip="whsec_") == []
    assert signing.secrets_as_bytes("00ff", key_encoding="hex") == [b"\x00\xff"]
    assert signing.secrets_as_bytes("pfx_key", strip="pfx_") == [b"key"]
    assert signing.secrets_as_bytes([b"pfx_\xff", "pfx_é"], strip=["pfx_"]) == [
        b"\xff",
        "é".encode(),
    ]
    assert signing.secrets_as_bytes("pfx_", strip="pfx_") == []


def test_secrets_as_bytes_errors_name_the_position_not_the_value() -> None:
    with pytest.raises(ValueError, match="secret #2 is not valid base64") as info:
        signing.secrets_as_bytes(["aGk=", "not*base64!"], key_encoding="base64")
    assert "not*base64" not in str(info.value)
    with pytest.raises(TypeError, match="int"):
        signing.secrets_as_bytes(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="int"):
        signing.secrets_as_bytes(["ok", 42])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="key_encoding"):
        signing.secrets_as_bytes("x", key_encoding="rot13")  # type: ignore[arg-type]


def test_any_secret_matches() -> None:
    sig = signing.hmac_digest("b", b"m")
    assert signing.any_secret_matches(["a", "b"], b"m", [b"x" * 32, sig])
    assert not signing.any_secret_matches(["a"], b"m", [sig])
    assert not signing.any_secret_matches([], b"m", [sig])
    assert not signing.any_secret_matches(["b"], b"m", [])
    assert not signing.any_secret_matches(["b"], b"m", [sig[:-1]])
    assert signing.any_secret_matches("b", b"m", iter([sig]))


def test_constant_time_equals() -> None:
    assert signing.constant_time_equals("s3cr3t-token", "s3cr3t-token")
    assert not signing.constant_time_equals("s3cr3t-token", "s3cr3t-tokeN")
    assert signing.constant_time_equals("é", "é".encode())
    assert not signing.constant_time_equals("é", "e")
    assert not signing.constant_time_equals("", "x")
    assert signing.constant_time_equals("\ud800", "\ud800")  # lone surrogate: no exception
    with pytest.raises(TypeError):
        signing.constant_time_equals(1, "1")  # type: ignore[arg-type]


def test_gitlab_style_shared_token() -> None:
    vector = VECTORS["gitlab-token"]
    sent = vector["expected_headers"]["X-Gitlab-Token"]
    assert signing.constant_time_equals(sent, vector["configured_secret_token"])


# -- decoding -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "encoding", "expected"),
    [
        ("00ff", "hex", b"\x00\xff"),
        ("00FF", "hex", b"\x00\xff"),
        (" 00ff ", "hex", b"\x00\xff"),
        ("AP8=", "base64", b"\x00\xff"),
        ("AP8", "base64", b"\x00\xff"),
        ("-_8", "base64", b"\xfb\xff"),
        ("+/8=", "base64", b"\xfb\xff"),
        ("00ff", "auto", b"\x00\xff"),
        ("AP8=", "auto", b"\x00\xff"),
        ("0f0", "hex", None),
        ("zz", "hex", None),
        ("00 ff", "hex", None),
        ("é0", "hex", None),
        ("AP9=", "base64", None),  # non-canonical: unused bits set
        ("A", "base64", None),
        ("=AP8", "base64", None),
        ("AP*8", "base64", None),
        ("AP8=\n", "base64", b"\x00\xff"),
        ("éé==", "base64", None),
        ("", "auto", None),
        (None, "auto", None),
        ("a" * 9000, "auto", None),
    ],
)
def test_decode_signature(value: Any, encoding: Any, expected: bytes | None) -> None:
    assert signing.decode_signature(value, encoding) == expected


def test_decode_signature_unknown_encoding() -> None:
    with pytest.raises(ValueError, match="encoding"):
        signing.decode_signature("00", "base32")  # type: ignore[arg-type]


def test_strip_prefix() -> None:
    assert signing.strip_prefix("sha256=ab") == "ab"
    assert signing.strip_prefix("v1=ab") == "ab"
    assert signing.strip_prefix("V0=ab") == "ab"
    assert signing.strip_prefix("ab") == "ab"
    assert signing.strip_prefix("sha256=ab", "sha1=") == "sha256=ab"
    assert signing.strip_prefix("h1=ab", ["x=", "h1="]) == "ab"
    assert signing.strip_prefix("", ["", "a"]) == ""


def test_signature_candidates() -> None:
    digest = bytes(range(32))
    hex_value, b64_value = digest.hex(), signing.decode_signature
    assert b64_value is not None
    values = ["sha256=" + hex_value, "garbage", 5, b"v1=" + hex_value.encode()]
    assert signing.signature_candidates(values, digest_size=32) == [digest]  # type: ignore[arg-type]
    assert signing.signature_candidates(None) == []
    assert signing.signature_candidates(hex_value, prefix="sha256=") == []
    # without a size, "auto" keeps both readings of a value that is valid hex and base64
    both = signing.signature_candidates("abcd")
    assert both == [b"\xab\xcd", b"i\xb7\x1d"]
    many = [f"{i:064x}" for i in range(100)]
    assert len(signing.signature_candidates(many, digest_size=32)) == 32
    assert len(signing.signature_candidates(many, digest_size=32, max_candidates=3)) == 3


# -- headers --------------------------------------------------------------------------------------


def test_parse_signature_header() -> None:
    assert signing.parse_signature_header("t=1,v1=a,v1=b,v0=c") == [
        ("t", "1"),
        ("v1", "a"),
        ("v1", "b"),
        ("v0", "c"),
    ]
    assert signing.parse_signature_header(" t = 1 , v1=a=b ,, junk, =x") == [
        ("t", "1"),
        ("v1", "a=b"),
    ]
    assert signing.parse_signature_header("ts=1;h1=x", pair_sep=";") == [("ts", "1"), ("h1", "x")]
    for hostile in (None, "", ",,,", "é=ü", 5, "=" * 10_000):
        signing.parse_signature_header(hostile)  # type: ignore[arg-type]
    assert len(signing.parse_signature_header(",".join(["v1=a"] * 10_000))) == 64


def test_parse_space_separated_versions() -> None:
    assert signing.parse_space_separated_versions("v1,abc  v1a,def\tv2,x,y bare ,z") == [
        ("v1", "abc"),
        ("v1a", "def"),
        ("v2", "x,y"),
    ]
    assert signing.parse_space_separated_versions(None) == []
    assert len(signing.parse_space_separated_versions(" ".join(["v1,a"] * 1000))) == 64


# -- timestamps -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        ("1700000000", "s", 1700000000.0),
        (" 1700000000 ", "s", 1700000000.0),
        (b"1700000000", "s", 1700000000.0),
        ("1700000000.5", "s", 1700000000.5),
        (1700000000, "s", 1700000000.0),
        (1700000000000, "ms", 1700000000.0),
        ("1700000000000", "ms", 1700000000.0),
        ("-1", "s", None),
        ("+1", "s", None),
        ("1e9", "s", None),
        ("nan", "s", None),
        ("inf", "s", None),
        (math.nan, "s", None),
        (math.inf, "s", None),
        (-5, "s", None),
        (True, "s", None),
        ("١٧٠٠", "s", None),
        ("1_000", "s", None),
        ("9" * 30, "s", None),
        ("", "s", None),
        (None, "s", None),
        ([1], "s", None),
    ],
)
def test_parse_timestamp(value: Any, unit: Any, expected: float | None) -> None:
    assert signing.parse_timestamp(value, unit=unit) == expected


def test_check_timestamp() -> None:
    now = 1_700_000_000.0
    assert signing.check_timestamp("1700000000", now, 300) is None
    assert signing.check_timestamp(now - 300, now, 300) is None
    assert signing.check_timestamp(now - 301, now, 300) == "timestamp too old"
    assert signing.check_timestamp(now + 300, now, 300) is None
    assert signing.check_timestamp(now + 301, now, 300) == "timestamp in the future"
    assert signing.check_timestamp(now + 10_000, now, 300, future_tolerance=math.inf) is None
    assert signing.check_timestamp(now + 6, now, 300, future_tolerance=5) == (
        "timestamp in the future"
    )
    assert signing.check_timestamp("abc", now, 300) == "malformed timestamp"
    assert signing.check_timestamp(None, now, 300) == "missing timestamp"
    assert signing.check_timestamp("", now, 300) == "missing timestamp"
    assert signing.check_timestamp((now - 30) * 1000, now, 60, unit="ms") is None
    assert signing.check_timestamp((now - 61) * 1000, now, 60, unit="ms") == "timestamp too old"
    with pytest.raises(ValueError, match="non-negative"):
        signing.check_timestamp("1", now, -1)
    with pytest.raises(ValueError, match="non-negative"):
        signing.check_timestamp("1", now, math.nan)
    with pytest.raises(ValueError, match="unit"):
        signing.check_timestamp("1", now, 1, unit="h")  # type: ignore[arg-type]


def test_linear_millisecond_timestamp_in_the_body() -> None:
    body = json.loads(VECTORS["linear-hmac"]["body"])
    stamp = body["webhookTimestamp"]
    assert signing.check_timestamp(stamp, 1_700_000_059.0, 60, unit="ms") is None
    assert signing.check_timestamp(stamp, 1_700_000_061.0, 60, unit="ms") == "timestamp too old"


# -- verify_hmac ----------------------------------------------------------------------------------


def test_verify_hmac_reasons() -> None:
    body = b"payload"
    good = signing.sign_hex("s", body)
    assert signing.verify_hmac(body, good, "s")
    assert signing.verify_hmac(WebhookRequest(url="https://h/", body=body), [good], ["s"])
    assert signing.verify_hmac(body, good.encode(), "s")  # type: ignore[arg-type]
    assert signing.verify_hmac(body, good, []).reason == "no secret configured"
    assert signing.verify_hmac(body, None, "s").reason == "missing signature header"
    assert signing.verify_hmac(body, [], "s").reason == "missing signature header"
    assert signing.verify_hmac(body, ["", " "], "s").reason == "missing signature header"
    assert signing.verify_hmac(body, "zz", "s").reason == "malformed signature"
    assert signing.verify_hmac(b"other", good, "s").reason == "signature mismatch"
    assert signing.verify_hmac(b"x", good, "s", message=body)
    with pytest.raises(TypeError, match="message"):
        signing.verify_hmac(b"x", good, "s", message="text")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="prefix"):
        signing.verify_hmac(b"x", good, "s", prefix=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="body"):
        signing.verify_hmac(object(), good, "s")


# -- every HMAC scheme of the catalogue, built from the primitives ---------------------------------


def test_stripe_scheme() -> None:
    for vid in ("stripe-v1", "stripe-rotation"):
        vector = VECTORS[vid]
        body = vector["body"].encode()
        pairs = signing.parse_signature_header(vector["expected_headers"]["Stripe-Signature"])
        t = next(v for k, v in pairs if k == "t")
        assert signing.check_timestamp(t, vector["timestamp"] + 10, 300) is None
        message = signing.join_message(t, body, sep=".")
        v1 = [v for k, v in pairs if k == "v1"]
        assert signing.verify_hmac(body, v1, vector["secret"], message=message, encoding="hex")
        assert not signing.verify_hmac(body, v1, "whsec_other", message=message)
        bad = signing.join_message(str(int(t) + 1), body, sep=".")
        assert not signing.verify_hmac(body, v1, vector["secret"], message=bad)


def test_slack_scheme() -> None:
    vector = VECTORS["slack-slash-command"]
    headers = vector["expected_headers"]
    ts = headers["X-Slack-Request-Timestamp"]
    message = signing.join_message("v0", ts, vector["body"].encode(), sep=":")
    assert signing.check_timestamp(ts, int(ts) + 299, 300) is None
    assert signing.check_timestamp(ts, int(ts) + 301, 300) == "timestamp too old"
    assert signing.verify_hmac(
        b"",
        headers["X-Slack-Signature"],
        vector["signing_secret"],
        message=message,
        prefix="v0=",
        encoding="hex",
    )


def test_standard_webhooks_scheme() -> None:
    vector = VECTORS["stdwh-sign"]
    headers = vector["expected_headers"]
    keys = signing.secrets_as_bytes(vector["secret"], key_encoding="base64", strip="whsec_")
    message = signing.join_message(
        headers["webhook-id"], headers["webhook-timestamp"], vector["body"].encode(), sep="."
    )
    versions = signing.parse_space_separated_versions("v1a,bogus " + headers["webhook-signature"])
    v1 = [sig for version, sig in versions if version == "v1"]
    assert signing.check_timestamp(headers["webhook-timestamp"], vector["timestamp"], 300) is None
    assert signing.verify_hmac(b"", v1, keys, message=message, encoding="base64")
    assert not signing.verify_hmac(b"", v1, vector["secret"], message=message)  # key not decoded


def test_paddle_scheme() -> None:
    for vid in ("paddle-simple", "paddle-special-chars"):
        vector = VECTORS[vid]
        pairs = signing.parse_signature_header(
            vector["expected_headers"]["Paddle-Signature"], pair_sep=";"
        )
        ts = next(v for k, v in pairs if k == "ts")
        message = signing.join_message(ts, vector["body"].encode(), sep=":")
        h1 = [v for k, v in pairs if k == "h1"]
        assert signing.verify_hmac(b"", h1, vector["secret"], message=message, encoding="hex")


@pytest.mark.parametrize(
    ("vid", "field", "header", "prefix", "encoding"),
    [
        ("zoom-event", "secret_token", "x-zm-signature", "v0=", "hex"),
    ],
)
def test_timestamp_prefixed_schemes(
    vid: str, field: str, header: str, prefix: str, encoding: Any
) -> None:
    vector = VECTORS[vid]
    ts = vector["expected_headers"]["x-zm-request-timestamp"]
    message = signing.join_message("v0", ts, vector["body"].encode(), sep=":")
    assert signing.verify_hmac(
        b"",
        vector["expected_headers"][header],
        vector[field],
        message=message,
        prefix=prefix,
        encoding=encoding,
    )


def test_zoom_url_validation_and_x_crc_tokens() -> None:
    zoom = VECTORS["zoom-url-validation"]
    plain = json.loads(zoom["body"])["payload"]["plainToken"]
    expected = zoom["expected_response"]["body"]["encryptedToken"]
    assert signing.sign_hex(zoom["secret_token"], plain.encode()) == expected
    crc = VECTORS["x-crc"]
    token = crc["request"]["query"].partition("=")[2]
    answer = signing.sign_base64(crc["consumer_secret"], token.encode(), prefix="sha256=")
    assert answer == crc["expected_response"]["body"]["response_token"]


def test_calendly_scheme() -> None:
    vector = VECTORS["calendly-hmac"]
    pairs = signing.parse_signature_header(vector["expected_headers"]["Calendly-Webhook-Signature"])
    t = next(v for k, v in pairs if k == "t")
    message = signing.join_message(t, vector["body"].encode(), sep=".")
    v1 = [v for k, v in pairs if k == "v1"]
    assert signing.verify_hmac(b"", v1, vector["signing_key"], message=message)


@pytest.mark.parametrize("vid", ["square-hmac", "square-angle-brackets"])
def test_square_scheme(vid: str) -> None:
    vector = VECTORS[vid]
    message = signing.join_message(vector["notification_url"], vector["body"].encode())
    value = vector["expected_headers"]["x-square-hmacsha256-signature"]
    assert signing.verify_hmac(
        b"", value, vector["signature_key"], message=message, encoding="base64"
    )


def test_mailgun_scheme() -> None:
    vector = VECTORS["mailgun-signature"]
    field = vector["expected_body_field"]["signature"]
    message = signing.join_message(field["timestamp"], field["token"])
    assert signing.verify_hmac(
        b"", field["signature"], vector["webhook_signing_key"], message=message, encoding="hex"
    )


def _twilio_message(url: str, params: list[tuple[str, str]]) -> bytes:
    grouped: dict[str, set[str]] = {}
    for key, value in params:
        grouped.setdefault(key, set()).add(value)
    tail = "".join(key + value for key in sorted(grouped) for value in sorted(grouped[key]))
    return signing.join_message(url, tail)


def test_twilio_scheme() -> None:
    form = VECTORS["twilio-form"]
    url, token = form["url"], form["auth_token"]
    params = list(form["params"].items())
    expected = form["expected_headers"]["X-Twilio-Signature"]
    assert signing.verify_hmac(
        b"",
        expected,
        token,
        message=_twilio_message(url, params),
        algorithm="sha1",
        encoding="base64",
    )
    with_port = url.replace("mycompany.com", "mycompany.com:443")
    variant = form["also_valid_variants"]["same URL with explicit :443"]
    assert signing.sign_base64(token, _twilio_message(with_port, params), "sha1") == variant

    multi = VECTORS["twilio-multivalue"]
    message = _twilio_message(multi["url"], [tuple(p) for p in multi["params_multi"]])
    assert signing.verify_hmac(
        b"",
        multi["expected_headers"]["X-Twilio-Signature"],
        multi["auth_token"],
        message=message,
        algorithm="sha1",
    )

    body_vector = VECTORS["twilio-json-body"]
    body = body_vector["body"].encode()
    request = WebhookRequest(url=body_vector["url"], body=body)
    assert request.query["bodySHA256"] == hashlib.sha256(body).hexdigest()
    assert signing.constant_time_equals(
        request.query["bodySHA256"], body_vector["expected_body_sha256_hex"]
    )
    assert signing.verify_hmac(
        request,
        body_vector["expected_headers"]["X-Twilio-Signature"],
        body_vector["auth_token"],
        message=request.url.encode(),
        algorithm="sha1",
    )


def test_asymmetric_signatures_decode_to_the_right_sizes() -> None:
    discord = VECTORS["discord-ping"]
    sig = signing.decode_signature(discord["expected_headers"]["X-Signature-Ed25519"], "hex")
    key = signing.decode_signature(discord["public_key_hex"], "hex")
    assert sig is not None and len(sig) == 64
    assert key is not None and len(key) == 32
    sendgrid = VECTORS["sendgrid-ecdsa"]
    der = signing.decode_signature(
        sendgrid["expected_headers"]["X-Twilio-Email-Event-Webhook-Signature"], "base64"
    )
    assert der is not None and der[0] == 0x30  # a DER SEQUENCE
    spki = signing.decode_signature(sendgrid["public_key_base64_der"], "base64")
    assert spki is not None and len(spki) == 91
    message = signing.join_message(
        sendgrid["expected_headers"]["X-Twilio-Email-Event-Webhook-Timestamp"],
        sendgrid["body"].encode(),
    )
    assert message.endswith(b"\r\n")  # the CRLF is signed: never strip it


def test_asymmetric_vectors_verify_with_cryptography() -> None:
    pytest.importorskip("cryptography")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    discord = VECTORS["discord-ping"]
    headers = discord["expected_headers"]
    key = ed25519.Ed25519PublicKey.from_public_bytes(
        signing.decode_signature(discord["public_key_hex"], "hex") or b""
    )
    key.verify(
        signing.decode_signature(headers["X-Signature-Ed25519"], "hex") or b"",
        signing.join_message(headers["X-Signature-Timestamp"], discord["body"].encode()),
    )
    sendgrid = VECTORS["sendgrid-ecdsa"]
    headers = sendgrid["expected_headers"]
    public = serialization.load_der_public_key(
        signing.decode_signature(sendgrid["public_key_base64_der"], "base64") or b""
    )
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(
        signing.decode_signature(headers["X-Twilio-Email-Event-Webhook-Signature"]) or b"",
        signing.join_message(
            headers["X-Twilio-Email-Event-Webhook-Timestamp"], sendgrid["body"].encode()
        ),
        ec.ECDSA(hashes.SHA256()),
    )
