"""verify_request_signature: HMAC of the raw body in a header, against the catalogue's vectors."""

from __future__ import annotations

import base64
import email.message
import hashlib
import hmac
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from hookpoint._models import Verification
from hookpoint._request import WebhookRequest
from hookpoint._signature import verify_request_signature

VECTORS: dict[str, dict[str, Any]] = {
    v["id"]: v
    for v in json.loads((Path(__file__).parent / "data" / "provider_vectors.json").read_text())
}
URL = "https://hooks.example.test/webhooks/ep"

GITHUB_SECRET = "It's a Secret to Everybody"
GITHUB_BODY = b"Hello, World!"
GITHUB_SIG = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def _req(body: bytes, headers: Any) -> WebhookRequest:
    return WebhookRequest(url=URL, headers=headers, body=body)


def _check(body: bytes, header: str, value: str, **kw: Any) -> Verification:
    return verify_request_signature(_req(body, [(header, value)]), header_name=header, **kw)


def _flip_body(body: bytes) -> bytes:
    return body[:-1] + bytes([body[-1] ^ 0x01])


def _flip_signature(value: str) -> str:
    """Change the last digest character to a different one (not merely its case)."""
    last = value[-1] if value[-1] != "=" else value[-2]
    index = value.rindex(last)
    replacement = "0" if last.lower() not in "0o" else "1"
    return value[:index] + replacement + value[index + 1 :]


# -- GitHub's documented vector -------------------------------------------------------------------


def test_github_documented_vector() -> None:
    result = _check(GITHUB_BODY, "X-Hub-Signature-256", GITHUB_SIG, secret=GITHUB_SECRET)
    assert result and result.success and result.reason == ""
    for kw in ({"prefix": "sha256="}, {"encoding": "hex"}, {"algorithm": "sha256"}):
        assert _check(GITHUB_BODY, "x-hub-signature-256", GITHUB_SIG, secret=GITHUB_SECRET, **kw)


def test_github_vector_rejected_when_one_byte_changes() -> None:
    bad_body = _check(
        _flip_body(GITHUB_BODY), "X-Hub-Signature-256", GITHUB_SIG, secret=GITHUB_SECRET
    )
    assert not bad_body and bad_body.reason == "signature mismatch"
    bad_sig = _check(
        GITHUB_BODY, "X-Hub-Signature-256", _flip_signature(GITHUB_SIG), secret=GITHUB_SECRET
    )
    assert not bad_sig and bad_sig.reason == "signature mismatch"
    wrong_secret = _check(GITHUB_BODY, "X-Hub-Signature-256", GITHUB_SIG, secret="nope")
    assert wrong_secret.reason == "signature mismatch"


# -- catalogue vectors: HMAC of the raw body in one header -----------------------------------------

# (vector id, secret field, header, algorithm, encoding, required prefix)
BODY_HMAC_VECTORS = [
    ("calcom-signed", "secret", "X-Cal-Signature-256", "sha256", "hex", None),
    ("meta-post-escaped-unicode", "app_secret", "X-Hub-Signature-256", "sha256", "hex", "sha256="),
    ("meta-post-escaped-unicode", "app_secret", "X-Hub-Signature", "sha1", "hex", "sha1="),
    ("github-docs", "secret", "X-Hub-Signature-256", "sha256", "hex", "sha256="),
    ("octokit-verify", "secret", "X-Hub-Signature-256", "sha256", "hex", "sha256="),
    ("shopify-hmac", "client_secret", "X-Shopify-Hmac-Sha256", "sha256", "base64", None),
    ("linear-hmac", "secret", "Linear-Signature", "sha256", "hex", None),
    ("dropbox-post", "app_secret", "X-Dropbox-Signature", "sha256", "hex", None),
    ("asana-event", "secret", "X-Hook-Signature", "sha256", "hex", None),
    ("typeform-hmac", "secret", "Typeform-Signature", "sha256", "base64", "sha256="),
    ("x-post", "consumer_secret", "x-twitter-webhooks-signature", "sha256", "base64", "sha256="),
    ("intercom-sha1", "client_secret", "X-Hub-Signature", "sha1", "hex", "sha1="),
    ("jira-admin-hmac", "secret", "X-Hub-Signature", "sha256", "hex", "sha256="),
]
IDS = [f"{v[0]}:{v[2]}" for v in BODY_HMAC_VECTORS]


@pytest.mark.parametrize(
    ("vid", "field", "header", "algorithm", "encoding", "prefix"), BODY_HMAC_VECTORS, ids=IDS
)
def test_catalogue_vector_verifies(
    vid: str, field: str, header: str, algorithm: str, encoding: str, prefix: str | None
) -> None:
    vector = VECTORS[vid]
    body = vector["body"].encode()
    value = vector["expected_headers"][header]
    secret = vector[field]
    for enc in (encoding, "auto"):
        assert _check(body, header, value, secret=secret, algorithm=algorithm, encoding=enc)
        assert _check(
            body,
            header.upper(),
            value,
            secret=secret,
            algorithm=algorithm,
            encoding=enc,
            prefix=prefix,
        )
    # the request can carry every other expected header too
    request = _req(body, vector["expected_headers"])
    assert verify_request_signature(
        request, header_name=header.lower(), secret=secret, algorithm=algorithm
    )


@pytest.mark.parametrize(
    ("vid", "field", "header", "algorithm", "encoding", "prefix"), BODY_HMAC_VECTORS, ids=IDS
)
def test_catalogue_vector_rejected_after_one_byte_change(
    vid: str, field: str, header: str, algorithm: str, encoding: str, prefix: str | None
) -> None:
    vector = VECTORS[vid]
    body = vector["body"].encode()
    value = vector["expected_headers"][header]
    kw: dict[str, Any] = {"secret": vector[field], "algorithm": algorithm, "encoding": encoding}
    bad_body = _check(_flip_body(body), header, value, **kw)
    assert not bad_body and bad_body.reason == "signature mismatch"
    middle = len(body) // 2
    bad_middle = body[:middle] + bytes([body[middle] ^ 0x20]) + body[middle + 1 :]
    assert not _check(bad_middle, header, value, **kw)
    bad_sig = _check(body, header, _flip_signature(value), **kw)
    assert not bad_sig and bad_sig.reason in ("signature mismatch", "malformed signature")
    assert _check(body, header, value, **{**kw, "secret": "wrong"}).reason == "signature mismatch"


def test_meta_reserialized_body_is_rejected() -> None:
    vector = VECTORS["meta-negative-reserialized"]
    body = vector["body"].encode()
    header = vector["header_received"]
    result = _check(body, "X-Hub-Signature-256", header, secret=vector["app_secret"])
    assert not result and result.reason == "signature mismatch"
    # the re-serialised body's own HMAC is the one the catalogue states
    expected = "sha256=94b73113644a0897053e4215bea7a4a009e1368a52b5dc61dd03c89fef156a4f"
    assert _check(body, "X-Hub-Signature-256", expected, secret=vector["app_secret"])


def test_meta_escaped_unicode_body_is_hashed_as_raw_bytes() -> None:
    vector = VECTORS["meta-post-escaped-unicode"]
    body = vector["body"].encode()
    assert b"\\u00e9" in body and b"\\u0040" in body  # the six-character escapes, untouched
    request = _req(body, vector["expected_headers"])
    assert request.json()["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"] == {
        "name": "José"
    }
    assert verify_request_signature(
        request, header_name="X-Hub-Signature-256", secret=vector["app_secret"]
    )


def test_calcom_no_secret_literal_never_verifies() -> None:
    vector = VECTORS["calcom-no-secret"]
    body = vector["body"].encode()
    value = vector["expected_headers"]["X-Cal-Signature-256"]
    assert value == "no-secret-provided"
    configured = _check(body, "X-Cal-Signature-256", value, secret="my-secret")
    assert not configured and configured.reason == "malformed signature"
    unconfigured = _check(body, "X-Cal-Signature-256", value, secret=None)
    assert not unconfigured and unconfigured.reason == "no secret configured"


# -- rotation, encodings, prefixes ----------------------------------------------------------------


def _hex(secret: str, body: bytes, algorithm: str = "sha256") -> str:
    return hmac.new(secret.encode(), body, algorithm).hexdigest()


def _b64(secret: str, body: bytes, algorithm: str = "sha256") -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, algorithm).digest()).decode()


BODY = b'{"type":"order.created","id":"evt_1"}'


@pytest.mark.parametrize(
    "secrets",
    [["old", "new"], ["new", "old"], ("x", "y", "new"), [b"new"], ["new", b"other"], "new", b"new"],
)
def test_rotation_any_secret_passes(secrets: Any) -> None:
    assert _check(BODY, "X-Sig", _hex("new", BODY), secret=secrets)


def test_rotation_none_matching_fails() -> None:
    assert _check(BODY, "X-Sig", _hex("new", BODY), secret=["a", "b"]).reason == (
        "signature mismatch"
    )


@pytest.mark.parametrize("secret", [[], (), "", b"", [""], ["", b""], None])
def test_no_secret_configured_never_succeeds(secret: Any) -> None:
    empty_sig = hmac.new(b"", BODY, hashlib.sha256).hexdigest()  # what an empty key would give
    result = _check(BODY, "X-Sig", empty_sig, secret=secret)
    assert not result and result.reason == "no secret configured"


def test_empty_secrets_in_a_list_are_ignored() -> None:
    assert _check(BODY, "X-Sig", _hex("real", BODY), secret=["", "real"])


def test_hex_upper_and_lower_case() -> None:
    sig = _hex("s", BODY)
    assert _check(BODY, "X-Sig", sig, secret="s", encoding="hex")
    assert _check(BODY, "X-Sig", sig.upper(), secret="s", encoding="hex")
    assert _check(BODY, "X-Sig", sig.upper(), secret="s")
    assert _check(BODY, "X-Sig", "SHA256=" + sig.upper(), secret="s", prefix="sha256=")


def test_base64_standard_urlsafe_and_unpadded() -> None:
    raw = hmac.new(b"s", BODY, hashlib.sha256).digest()
    std = base64.b64encode(raw).decode()
    urlsafe = base64.urlsafe_b64encode(raw).decode()
    for value in (std, urlsafe, std.rstrip("="), urlsafe.rstrip("="), std + "=="):
        for encoding in ("base64", "auto"):
            assert _check(BODY, "X-Sig", value, secret="s", encoding=encoding), value
    assert not _check(BODY, "X-Sig", std, secret="s", encoding="hex")


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "sha512"])
def test_algorithms(algorithm: str) -> None:
    assert _check(BODY, "X-Sig", _hex("s", BODY, algorithm), secret="s", algorithm=algorithm)
    assert _check(BODY, "X-Sig", _b64("s", BODY, algorithm), secret="s", algorithm=algorithm)


def test_digest_of_another_algorithm_is_malformed() -> None:
    result = _check(BODY, "X-Sig", _hex("s", BODY, "sha1"), secret="s", algorithm="sha256")
    assert result.reason == "malformed signature"


@pytest.mark.parametrize("prefix", ["sha1=", "sha256=", "sha512=", "v1=", "v0=", "SHA256=", ""])
def test_common_prefixes_are_stripped(prefix: str) -> None:
    assert _check(BODY, "X-Sig", prefix + _hex("s", BODY), secret="s")


def test_required_prefix() -> None:
    sig = _hex("s", BODY)
    assert _check(BODY, "X-Sig", "sha256=" + sig, secret="s", prefix="sha256=")
    missing = _check(BODY, "X-Sig", sig, secret="s", prefix="sha256=")
    assert not missing and missing.reason == "malformed signature"
    other = _check(BODY, "X-Sig", "v1=" + sig, secret="s", prefix="sha256=")
    assert other.reason == "malformed signature"
    assert _check(BODY, "X-Sig", "custom:" + sig, secret="s", prefix="custom:")
    # an unknown prefix is not stripped without prefix=
    assert _check(BODY, "X-Sig", "custom:" + sig, secret="s").reason == "malformed signature"


def test_empty_body() -> None:
    assert _check(b"", "X-Sig", _hex("s", b""), secret="s")
    assert _check(b"", "X-Sig", _hex("s", b"x"), secret="s").reason == "signature mismatch"


# -- missing and hostile headers ------------------------------------------------------------------


def test_missing_header() -> None:
    request = _req(BODY, {"Content-Type": "application/json"})
    result = verify_request_signature(request, header_name="X-Sig", secret="s")
    assert not result and result.reason == "missing signature header"


@pytest.mark.parametrize("value", ["", "   ", ",", " , "])
def test_empty_header_counts_as_missing(value: str) -> None:
    assert _check(BODY, "X-Sig", value, secret="s").reason == "missing signature header"


@pytest.mark.parametrize(
    "value",
    [
        "garbage!",
        "sha256=",
        "sha256=zz",
        "é" * 64,
        "\x00" * 64,
        "sha256=" + "é" * 64,
        "🙂" * 100,
        "a" * 1_000_000,
        "=" * 64,
        "sha256==" + "0" * 64,
        "no-secret-provided",
        "t=1,v1=abc",
        "0x" + "0" * 64,
        "\u0660" * 64,  # Arabic-Indic zeros are not hex
    ],
)
def test_garbage_header_is_malformed_never_raises(value: str) -> None:
    result = _check(BODY, "X-Sig", value, secret="s")
    assert not result and result.reason == "malformed signature"


def test_many_comma_separated_values_are_bounded() -> None:
    value = ",".join(["0" * 64] * 100_000)
    assert _check(BODY, "X-Sig", value, secret="s").reason == "signature mismatch"
    good = _hex("s", BODY)
    assert _check(BODY, "X-Sig", f"{'0' * 64}, {good}", secret="s")


def test_repeated_header_values_are_each_tried() -> None:
    request = _req(BODY, [("X-Sig", "0" * 64), ("x-sig", "sha256=" + _hex("s", BODY))])
    assert verify_request_signature(request, header_name="X-SIG", secret="s")


def test_latin1_bytes_header_value() -> None:
    request = _req(BODY, [(b"X-Sig", b"sha256=\xe9\xff")])
    assert verify_request_signature(request, header_name="x-sig", secret="s").reason == (
        "malformed signature"
    )


# -- request-like objects -------------------------------------------------------------------------


def test_request_like_object_with_dict_headers() -> None:
    sig = _hex("s", BODY)
    obj = SimpleNamespace(headers={"x-sig": sig, "Other": "1"}, body=BODY)
    assert verify_request_signature(obj, header_name="X-Sig", secret="s")
    obj_bytes = SimpleNamespace(headers={b"X-Sig": sig.encode()}, body=bytearray(BODY))
    assert verify_request_signature(obj_bytes, header_name="x-sig", secret="s")


def test_request_like_object_with_pairs_and_getlist_and_get_all() -> None:
    sig = _hex("s", BODY)
    pairs = SimpleNamespace(headers=[(b"x-sig", sig.encode())], body=BODY)
    assert verify_request_signature(pairs, header_name="X-Sig", secret="s")

    class MultiDict:
        def getlist(self, name: str) -> list[str]:
            return [sig] if name.lower() == "x-sig" else []

    assert verify_request_signature(
        SimpleNamespace(headers=MultiDict(), body=BODY), header_name="X-Sig", secret="s"
    )
    message = email.message.Message()
    message["X-Sig"] = sig
    assert verify_request_signature(
        SimpleNamespace(headers=message, body=BODY), header_name="x-sig", secret="s"
    )


def test_request_like_object_with_odd_header_items_does_not_raise() -> None:
    obj = SimpleNamespace(headers=[("x-sig",), 42], body=BODY)
    assert verify_request_signature(obj, header_name="X-Sig", secret="s").reason == (
        "missing signature header"
    )


# -- developer errors raise at call time ----------------------------------------------------------


@pytest.mark.parametrize("secret", [123, [123], [b"ok", 4.5], {"a": object()}.values()])
def test_nonsense_secret_raises_type_error(secret: Any) -> None:
    with pytest.raises(TypeError, match="secret"):
        _check(BODY, "X-Sig", _hex("s", BODY), secret=secret)


def test_other_developer_errors() -> None:
    with pytest.raises(ValueError, match="algorithm"):
        _check(BODY, "X-Sig", "x", secret="s", algorithm="md5")
    with pytest.raises(ValueError, match="encoding"):
        _check(BODY, "X-Sig", "x", secret="s", encoding="hex2")
    with pytest.raises(TypeError, match="header_name"):
        verify_request_signature(_req(BODY, {}), header_name="", secret="s")
    with pytest.raises(TypeError, match="body"):
        verify_request_signature(SimpleNamespace(headers={}), header_name="X", secret="s")
    with pytest.raises(TypeError, match="headers"):
        verify_request_signature(SimpleNamespace(body=b""), header_name="X", secret="s")
    with pytest.raises(TypeError, match="body"):
        verify_request_signature(
            SimpleNamespace(headers={}, body="text"), header_name="X", secret="s"
        )
