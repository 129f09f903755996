"""Signing primitives for provider plugins: HMAC, signature decoding, header parsing, timestamps.

Every provider plugin verifies deliveries with the same few steps: pull the signature out of a
header, decode it (hex or base64, maybe behind a ``sha256=`` / ``v1=`` prefix), compute an HMAC
over the raw body (or over a string built from a timestamp and the body), compare in constant
time against every configured secret (rotation), and, for timestamped schemes, bound the
timestamp. This module does each step once, correctly, so plugins never re-implement them.

A symmetric provider is usually a few lines. A scheme that signs ``"{t}.{raw body}"`` and
sends ``Sig: t=<unix>,v1=<hex>[,v1=<hex>…]``::

    from hookpoint import Verification, signing

    def verify(request, secrets, now):
        pairs = signing.parse_signature_header(request.headers.get("Sig", ""))
        t = next((v for k, v in pairs if k == "t"), None)
        if (reason := signing.check_timestamp(t, now, 300)) is not None:
            return Verification.refused(reason)
        return signing.verify_hmac(
            request,
            [v for k, v in pairs if k == "v1"],
            secrets,
            message=signing.join_message(t or "", request.body, sep="."),
            encoding="hex",
        )

Asymmetric schemes (Ed25519, ECDSA) use :func:`decode_signature`, :func:`join_message` and
:func:`check_timestamp` here and their crypto library for the signature check itself.

Failure reasons are the short, sender-safe strings in the ``REASON_*`` constants; they never
contain a secret. Nothing here raises on hostile *request* input (odd headers, non-ASCII, huge
values, empty bodies); a developer error (an ``int`` secret, an unknown algorithm) raises
``TypeError``/``ValueError`` at call time.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import math
import re
from collections.abc import Iterable
from typing import Any, Final, Literal

from ._models import Verification

__all__ = [
    "ALGORITHMS",
    "COMMON_PREFIXES",
    "REASON_MALFORMED",
    "REASON_MALFORMED_TIMESTAMP",
    "REASON_MISMATCH",
    "REASON_MISSING",
    "REASON_MISSING_TIMESTAMP",
    "REASON_NO_SECRET",
    "REASON_TIMESTAMP_IN_FUTURE",
    "REASON_TIMESTAMP_TOO_OLD",
    "SecretsInput",
    "SignatureEncoding",
    "any_secret_matches",
    "check_timestamp",
    "constant_time_equals",
    "decode_signature",
    "digest_size",
    "hmac_digest",
    "join_message",
    "parse_signature_header",
    "parse_space_separated_versions",
    "parse_timestamp",
    "request_body",
    "secrets_as_bytes",
    "sign_base64",
    "sign_hex",
    "signature_candidates",
    "strip_prefix",
    "verify_hmac",
]

#: Supported HMAC hash names and their digest sizes in bytes.
ALGORITHMS: Final[dict[str, int]] = {"sha1": 20, "sha256": 32, "sha512": 64}

#: Prefixes stripped from a signature when no explicit prefix is required.
COMMON_PREFIXES: Final[tuple[str, ...]] = ("sha1=", "sha256=", "sha512=", "v1=", "v0=")

REASON_MISSING: Final = "missing signature header"
REASON_MALFORMED: Final = "malformed signature"
REASON_MISMATCH: Final = "signature mismatch"
REASON_NO_SECRET: Final = "no secret configured"  # noqa: S105 - a reason, not a secret
REASON_MISSING_TIMESTAMP: Final = "missing timestamp"
REASON_MALFORMED_TIMESTAMP: Final = "malformed timestamp"
REASON_TIMESTAMP_TOO_OLD: Final = "timestamp too old"
REASON_TIMESTAMP_IN_FUTURE: Final = "timestamp in the future"

SecretsInput = str | bytes | bytearray | Iterable[str | bytes | bytearray] | None
"""A secret, or several (rotation: any one passing is enough). ``None`` means none configured."""

SignatureEncoding = Literal["hex", "base64", "auto"]

# Frozen results shared by every call (Verification is immutable): no model build per request.
_OK: Final = Verification.verified()
_FAIL_MISSING: Final = Verification.refused(REASON_MISSING)
_FAIL_MALFORMED: Final = Verification.refused(REASON_MALFORMED)
_FAIL_MISMATCH: Final = Verification.refused(REASON_MISMATCH)
_FAIL_NO_SECRET: Final = Verification.refused(REASON_NO_SECRET)

_ENCODINGS: Final = frozenset({"hex", "base64", "auto"})
_URLSAFE_TO_STD: Final = str.maketrans("-_", "+/")
_MAX_UNSIZED_SIGNATURE: Final = 8192
_COMMON_SET: Final = frozenset(COMMON_PREFIXES)
# hashlib constructors, not names: OpenSSL then skips a digest lookup by name on every call
_HASHES: Final[dict[str, Any]] = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha512": hashlib.sha512,
}
_TIMESTAMP: Final = re.compile(r"[0-9]{1,20}(?:\.[0-9]{1,9})?", re.ASCII)


# -- HMAC -----------------------------------------------------------------------------------------


def digest_size(algorithm: str) -> int:
    """The digest size in bytes of a supported HMAC algorithm.

    >>> digest_size("sha256")
    32

    :raises ValueError: for an algorithm other than ``sha1``, ``sha256`` or ``sha512``.
    """
    try:
        return ALGORITHMS[algorithm]
    except (KeyError, TypeError):
        supported = ", ".join(ALGORITHMS)
        raise ValueError(f"unsupported HMAC algorithm {algorithm!r} (use {supported})") from None


def _key(secret: str | bytes | bytearray) -> bytes:
    if isinstance(secret, str):
        return secret.encode("utf-8")
    if isinstance(secret, bytes | bytearray):
        return bytes(secret)
    raise TypeError(f"a secret must be str or bytes, not {type(secret).__name__}")


def hmac_digest(secret: str | bytes, message: bytes, algorithm: str = "sha256") -> bytes:
    """The raw HMAC of ``message`` keyed with ``secret`` (a ``str`` is encoded as UTF-8).

    >>> hmac_digest("It's a Secret to Everybody", b"Hello, World!").hex()[:16]
    '757107ea0eb2509f'

    :param algorithm: ``"sha1"``, ``"sha256"`` or ``"sha512"``.
    :raises ValueError: for an unsupported algorithm; ``TypeError`` for a non-bytes message.
    """
    digest_size(algorithm)
    return hmac.digest(_key(secret), message, _HASHES[algorithm])


def sign_hex(
    secret: str | bytes, message: bytes, algorithm: str = "sha256", *, prefix: str = ""
) -> str:
    """``prefix`` + the lowercase hex HMAC of ``message``, as a sender would put it in a header.

    >>> sign_hex("It's a Secret to Everybody", b"Hello, World!", prefix="sha256=")[:20]
    'sha256=757107ea0eb25'
    """
    return prefix + hmac_digest(secret, message, algorithm).hex()


def sign_base64(
    secret: str | bytes,
    message: bytes,
    algorithm: str = "sha256",
    *,
    prefix: str = "",
    urlsafe: bool = False,
    padding: bool = True,
) -> str:
    """``prefix`` + the base64 HMAC of ``message`` (standard alphabet unless ``urlsafe``).

    >>> sign_base64("hush", b'{"id":820982911946154508,"email":"jon@example.com",'
    ...                     b'"topic":"orders/create"}')
    'caywFtONLHCQ/kdAoRCOAC9s972OdEFX6QvGUQVBTbQ='
    """
    text = binascii.b2a_base64(hmac_digest(secret, message, algorithm), newline=False).decode()
    if urlsafe:
        text = text.translate(str.maketrans("+/", "-_"))
    if not padding:
        text = text.rstrip("=")
    return prefix + text


def join_message(*parts: str | bytes, sep: str | bytes = b"") -> bytes:
    """The bytes a timestamped scheme signs: ``parts`` joined with ``sep`` (``str`` as UTF-8).

    >>> join_message("v0", "1531420618", b"token=x", sep=":")
    b'v0:1531420618:token=x'
    >>> join_message("1700000000", b'{"a":1}', sep=".")
    b'1700000000.{"a":1}'
    """
    raw_sep = sep.encode("utf-8") if isinstance(sep, str) else bytes(sep)
    return raw_sep.join(p.encode("utf-8") if isinstance(p, str) else bytes(p) for p in parts)


# -- secrets --------------------------------------------------------------------------------------


def secrets_as_bytes(
    secrets: SecretsInput,
    *,
    key_encoding: Literal["text", "base64", "hex"] = "text",
    strip: str | Iterable[str] = (),
) -> list[bytes]:
    """Normalise configured secrets to HMAC keys: one or many, empties and duplicates dropped.

    ``key_encoding="text"`` uses each secret's UTF-8 bytes (most senders, including those that
    keep a ``whsec_``-style prefix as part of the key). ``"base64"``/``"hex"`` decode the secret
    (e.g. a ``whsec_<base64>`` secret). Any prefix in ``strip`` is removed first, in every mode::

        >>> secrets_as_bytes(["new", "old", ""])
        [b'new', b'old']
        >>> secrets_as_bytes("whsec_aGk=", key_encoding="base64", strip="whsec_")
        [b'hi']

    :raises TypeError: when a secret is not ``str``/``bytes`` (e.g. an ``int``).
    :raises ValueError: when a secret is not valid ``base64``/``hex`` for that encoding (the
        message names its position, never its value).
    """
    if secrets is None:
        return []
    if key_encoding == "text" and not strip:  # the common cases, on every request
        if secrets.__class__ is str:
            return [secrets.encode("utf-8")] if secrets else []
        if secrets.__class__ is tuple and all(item.__class__ is str for item in secrets):
            return list(dict.fromkeys([item.encode("utf-8") for item in secrets if item]))
    items: Iterable[Any]
    if isinstance(secrets, str | bytes | bytearray):
        items = (secrets,)
    elif isinstance(secrets, Iterable):
        items = secrets
    else:
        raise TypeError(
            f"secrets must be str, bytes or a list of them, not {type(secrets).__name__}"
        )
    prefixes = (strip,) if isinstance(strip, str) else tuple(strip)
    if key_encoding not in ("text", "base64", "hex"):
        raise ValueError(f"unknown key_encoding {key_encoding!r} (use text, base64 or hex)")
    keys: list[bytes] = []
    for position, item in enumerate(items, 1):
        if isinstance(item, str):
            text: str | None = item
            raw = b""
        elif isinstance(item, bytes | bytearray):
            text, raw = None, bytes(item)
        else:
            raise TypeError(f"a secret must be str or bytes, not {type(item).__name__}")
        if key_encoding == "text":
            if prefixes:  # bytes are stripped as latin-1, so they round-trip unchanged
                stripped = strip_prefix(raw.decode("latin-1") if text is None else text, prefixes)
                key = stripped.encode("latin-1" if text is None else "utf-8")
            else:
                key = raw if text is None else text.encode("utf-8")
        else:
            if text is None:
                text = raw.decode("latin-1")
            text = strip_prefix(text, prefixes) if prefixes else text
            if not text:
                continue
            decoded = _decode_hex(text) if key_encoding == "hex" else _decode_base64(text)
            if decoded is None:
                raise ValueError(f"secret #{position} is not valid {key_encoding}")
            key = decoded
        if key and key not in keys:
            keys.append(key)
    return keys


def any_secret_matches(
    secrets: SecretsInput,
    message: bytes,
    candidates: Iterable[bytes],
    algorithm: str = "sha256",
) -> bool:
    """True when the HMAC of ``message`` under any secret equals any candidate digest.

    Every secret × candidate pair is compared with :func:`hmac.compare_digest` (no early exit),
    so timing does not reveal which secret or candidate matched.

    >>> sig = hmac_digest("old", b"body")
    >>> any_secret_matches(["new", "old"], b"body", [b"junk", sig])
    True
    """
    size = digest_size(algorithm)
    return _matches(secrets_as_bytes(secrets), message, candidates, algorithm, size)


def _matches(
    keys: list[bytes], message: bytes, candidates: Iterable[bytes], algorithm: str, size: int
) -> bool:
    wanted = [c for c in candidates if len(c) == size]
    constructor = _HASHES[algorithm]
    matched = False
    for key in keys:
        digest = hmac.digest(key, message, constructor)
        for candidate in wanted:
            matched |= hmac.compare_digest(digest, candidate)
    return matched


def constant_time_equals(a: str | bytes, b: str | bytes) -> bool:
    """Compare two tokens in constant time (``str`` compared as UTF-8; never raises on text).

    Use it for shared-token schemes (a header that must equal the configured token)::

        >>> constant_time_equals("s3cr3t-token", "s3cr3t-token")
        True
        >>> constant_time_equals("café", b"caf\\xc3\\xa9")
        True
    """
    left = a.encode("utf-8", "surrogatepass") if isinstance(a, str) else a
    right = b.encode("utf-8", "surrogatepass") if isinstance(b, str) else b
    if not isinstance(left, bytes | bytearray) or not isinstance(right, bytes | bytearray):
        raise TypeError("constant_time_equals compares str or bytes")
    return hmac.compare_digest(left, right)


# -- signature values -----------------------------------------------------------------------------


def strip_prefix(value: str, prefixes: str | Iterable[str] = COMMON_PREFIXES) -> str:
    """``value`` without the first of ``prefixes`` it starts with (case-insensitive), else as is.

    >>> strip_prefix("sha256=abcd")
    'abcd'
    >>> strip_prefix("V0=abcd", ["v0="])
    'abcd'
    >>> strip_prefix("abcd", "sha1=")
    'abcd'
    """
    for prefix in (prefixes,) if isinstance(prefixes, str) else prefixes:
        if prefix and value[: len(prefix)].lower() == prefix.lower():
            return value[len(prefix) :]
    return value


def _decode_hex(value: str) -> bytes | None:
    try:
        return binascii.unhexlify(value)
    except (ValueError, TypeError):  # binascii.Error is a ValueError; non-ASCII text too
        return None


def _decode_base64(value: str) -> bytes | None:
    data = value.rstrip("=")
    if "-" in data or "_" in data:
        data = data.translate(_URLSAFE_TO_STD)
    remainder = len(data) % 4
    if remainder == 1:
        return None
    try:
        raw = binascii.a2b_base64(data + "=" * (-remainder % 4), strict_mode=True)
    except (ValueError, TypeError):
        return None
    # Reject non-canonical encodings (non-zero unused bits in the last character), so that one
    # signature has exactly one accepted spelling.
    if remainder and binascii.b2a_base64(raw, newline=False).decode("ascii").rstrip("=") != data:
        return None
    return raw


def _looks_hex(value: str) -> bool:
    return len(value) % 2 == 0 and all(c in "0123456789abcdefABCDEF" for c in value)


def decode_signature(value: str | None, encoding: SignatureEncoding = "auto") -> bytes | None:
    """Decode one signature string; ``None`` when it is malformed (never raises on input).

    ``"hex"`` accepts upper and lower case. ``"base64"`` accepts the standard and the URL-safe
    alphabet, with or without padding, and rejects non-canonical spellings. ``"auto"`` picks hex
    when the value is even-length hex, else base64 (a hex string is also valid base64: when the
    digest size is known prefer :func:`signature_candidates`, which tries both and checks length).

    >>> decode_signature("00ff", "hex")
    b'\\x00\\xff'
    >>> decode_signature("AP8", "base64")
    b'\\x00\\xff'
    >>> decode_signature("zz", "hex") is None
    True
    """
    if encoding not in _ENCODINGS:
        raise ValueError(f"unknown signature encoding {encoding!r} (use hex, base64 or auto)")
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > _MAX_UNSIZED_SIGNATURE:
        return None
    if encoding == "hex" or (encoding == "auto" and _looks_hex(value)):
        return _decode_hex(value)
    return _decode_base64(value)


def signature_candidates(
    signatures: str | Iterable[str] | None,
    *,
    encoding: SignatureEncoding = "auto",
    digest_size: int | None = None,
    prefix: str | None = None,
    strip_prefixes: Iterable[str] = COMMON_PREFIXES,
    max_candidates: int = 32,
) -> list[bytes]:
    """Decode signature strings into the digests they may stand for (malformed ones dropped).

    With ``prefix`` each value must start with it (case-insensitive; e.g. ``"sha256="``), else
    it is dropped; without it any of ``strip_prefixes`` is removed when present. ``"auto"``
    yields both the hex and the base64 reading when both are valid; with ``digest_size`` only
    digests of that length are kept (which also makes ``"auto"`` unambiguous). Bytes values are
    read as latin-1. At most ``max_candidates`` are returned.

    >>> signature_candidates(["sha256=" + "ab" * 32, "garbage!"], digest_size=32) == [b"\\xab" * 32]
    True
    """
    if encoding not in _ENCODINGS:
        raise ValueError(f"unknown signature encoding {encoding!r} (use hex, base64 or auto)")
    if signatures is None:
        return []
    values: Iterable[Any] = (signatures,) if isinstance(signatures, str | bytes) else signatures
    strip = tuple(strip_prefixes)
    return _collect(values, encoding, digest_size, prefix, strip, max_candidates)[0]


def _strip_common(value: str) -> str:
    """:func:`strip_prefix` with :data:`COMMON_PREFIXES`, in O(1) (all end with ``=``)."""
    end = value.find("=", 2, 8)
    if end != -1:
        head = value[: end + 1]
        if head in _COMMON_SET or head.lower() in _COMMON_SET:
            return value[end + 1 :]
    return value


def _collect(
    values: Iterable[Any],
    encoding: str,
    size: int | None,
    prefix: str | None,
    strip: tuple[str, ...],
    max_candidates: int,
) -> tuple[list[bytes], bool]:
    """``(distinct decoded candidates, whether any value was non-empty)``."""
    hex_len = b64_len = -1
    limit = _MAX_UNSIZED_SIGNATURE
    if size is not None:
        hex_len, b64_len = 2 * size, (4 * size + 2) // 3  # b64_len: without padding
        limit = 2 * size + 8
    want_hex, want_b64 = encoding != "base64", encoding != "hex"
    common = strip == COMMON_PREFIXES
    lowered = prefix.lower() if prefix is not None else ""
    found: list[bytes] = []
    seen_any = False
    for count, item in enumerate(values):
        if count >= 4 * max_candidates or len(found) >= max_candidates:
            break
        if isinstance(item, bytes | bytearray):
            item = bytes(item).decode("latin-1")
        elif not isinstance(item, str):
            continue
        value = item.strip()
        if not value:
            continue
        seen_any = True
        if prefix is not None:
            if value[: len(prefix)].lower() != lowered:
                continue
            value = value[len(prefix) :]
        elif common:
            value = _strip_common(value)
        elif strip:
            value = strip_prefix(value, strip)
        length = len(value)
        if not value or length > limit:
            continue
        if want_hex and (size is None or length == hex_len):
            digest = _decode_hex(value)
            if digest and (size is None or len(digest) == size) and digest not in found:
                found.append(digest)
        if want_b64 and (size is None or len(value.rstrip("=")) == b64_len):
            digest = _decode_base64(value)
            if digest and (size is None or len(digest) == size) and digest not in found:
                found.append(digest)
    return found[:max_candidates], seen_any


# -- signature headers ----------------------------------------------------------------------------


def parse_signature_header(
    value: str | None, *, pair_sep: str = ",", kv_sep: str = "=", max_pairs: int = 64
) -> list[tuple[str, str]]:
    """Split a ``key=value`` list header into pairs, in order, keeping repeated keys.

    Pieces are split on ``pair_sep``, then on the first ``kv_sep``; whitespace around keys and
    values is removed; empty pieces and pieces without ``kv_sep`` are skipped. Never raises.

    >>> parse_signature_header("t=1700000000,v1=abc,v1=def,v0=old")
    [('t', '1700000000'), ('v1', 'abc'), ('v1', 'def'), ('v0', 'old')]
    >>> parse_signature_header("ts=1696195954;h1=dummy;h1=d962", pair_sep=";")
    [('ts', '1696195954'), ('h1', 'dummy'), ('h1', 'd962')]
    """
    if not isinstance(value, str) or not value or not pair_sep or not kv_sep:
        return []
    pairs: list[tuple[str, str]] = []
    for piece in value.split(pair_sep, max_pairs)[:max_pairs]:
        key, sep, val = piece.partition(kv_sep)
        key = key.strip()
        if sep and key:
            pairs.append((key, val.strip()))
    return pairs


def parse_space_separated_versions(
    value: str | None, *, version_sep: str = ",", max_items: int = 64
) -> list[tuple[str, str]]:
    """Split a space-separated ``version,signature`` list (Standard Webhooks style).

    >>> parse_space_separated_versions("v1,g0hM9SsE+OTPJ= v1a,abc  junk")
    [('v1', 'g0hM9SsE+OTPJ='), ('v1a', 'abc')]

    Items without ``version_sep`` are skipped; keep the versions you know. Never raises.
    """
    if not isinstance(value, str) or not value or not version_sep:
        return []
    pairs: list[tuple[str, str]] = []
    for item in value.split(None, max_items)[:max_items]:
        version, sep, signature = item.partition(version_sep)
        if sep and version and signature:
            pairs.append((version, signature))
    return pairs


# -- timestamps -----------------------------------------------------------------------------------


def parse_timestamp(value: object, *, unit: Literal["s", "ms"] = "s") -> float | None:
    """A Unix timestamp in seconds, or ``None`` when ``value`` is not a plain non-negative number.

    Accepts any value without raising: ``int``/``float`` and ASCII decimal text
    (``"1700000000"``, ``"1700000000.25"``); rejects signs, exponents, ``nan``/``inf``,
    ``bool`` and non-ASCII digits. ``unit="ms"`` divides by 1000 (millisecond timestamps such as
    a ``webhookTimestamp`` body field).

    >>> parse_timestamp("1700000000")
    1700000000.0
    >>> parse_timestamp(1700000000123, unit="ms")
    1700000000.123
    >>> parse_timestamp("1e9") is None
    True
    """
    if unit not in ("s", "ms"):
        raise ValueError(f"unknown timestamp unit {unit!r} (use 's' or 'ms')")
    number: float
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
        if not math.isfinite(number) or number < 0:
            return None
    elif isinstance(value, str | bytes):
        text = value.decode("latin-1") if isinstance(value, bytes) else value
        text = text.strip()
        if not _TIMESTAMP.fullmatch(text):
            return None
        number = float(text)
    else:
        return None
    return number / 1000.0 if unit == "ms" else number


def check_timestamp(
    timestamp: object,
    now: float,
    tolerance: float,
    *,
    unit: Literal["s", "ms"] = "s",
    future_tolerance: float | None = None,
) -> str | None:
    """``None`` when ``timestamp`` is within ``tolerance`` seconds of ``now``, else a reason.

    Reasons: ``"missing timestamp"``, ``"malformed timestamp"``, ``"timestamp too old"``,
    ``"timestamp in the future"``. ``tolerance`` applies in both directions unless
    ``future_tolerance`` is given (``math.inf`` accepts any future timestamp). ``now`` is Unix
    seconds (the ``now`` the verify hook receives); ``unit="ms"`` reads a millisecond timestamp.

    >>> check_timestamp("1700000000", 1700000100, 300) is None
    True
    >>> check_timestamp("1700000000", 1700000301, 300)
    'timestamp too old'
    >>> check_timestamp(1700000090000, 1700000000, 60, unit="ms")
    'timestamp in the future'
    """
    if not (tolerance >= 0) or (future_tolerance is not None and not (future_tolerance >= 0)):
        raise ValueError("tolerances must be non-negative numbers of seconds")
    if timestamp is None or timestamp == "" or timestamp == b"":
        return REASON_MISSING_TIMESTAMP
    seconds = parse_timestamp(timestamp, unit=unit)
    if seconds is None:
        return REASON_MALFORMED_TIMESTAMP
    if now - seconds > tolerance:
        return REASON_TIMESTAMP_TOO_OLD
    ahead = tolerance if future_tolerance is None else future_tolerance
    if seconds - now > ahead:
        return REASON_TIMESTAMP_IN_FUTURE
    return None


# -- verification ---------------------------------------------------------------------------------


def request_body(request_or_body: Any) -> bytes:
    """The raw body of a request-like object (anything with ``.body`` bytes) or of raw bytes.

    >>> request_body(b"raw")
    b'raw'

    :raises TypeError: when there are no body bytes (e.g. a framework whose ``body`` is an async
        method: pass ``await request.body()`` instead).
    """
    if isinstance(request_or_body, bytes):
        return request_or_body
    if isinstance(request_or_body, bytearray | memoryview):
        return bytes(request_or_body)
    body = getattr(request_or_body, "body", None)
    if isinstance(body, bytes):
        return body
    if isinstance(body, bytearray | memoryview):
        return bytes(body)
    raise TypeError(
        "expected bytes or a request with a bytes .body "
        f"(got {type(request_or_body).__name__} with body {type(body).__name__})"
    )


def verify_hmac(
    request_or_body: Any,
    signatures: str | Iterable[str] | None,
    secrets: SecretsInput,
    *,
    message: bytes | None = None,
    algorithm: str = "sha256",
    encoding: SignatureEncoding = "auto",
    prefix: str | None = None,
) -> Verification:
    """Verify HMAC signature value(s) against every configured secret, in constant time.

    :param request_or_body: a request (its ``.body`` is signed) or the raw body bytes.
    :param signatures: the signature string(s) from the request, e.g. every ``v1`` value of a
        parsed header; ``None``/empty means the request carried none.
    :param secrets: one secret or several (rotation); see :func:`secrets_as_bytes`.
    :param message: the exact signed bytes when they are not just the body (build them with
        :func:`join_message`).
    :param prefix: a prefix each signature must carry (``"sha256="``); ``None`` strips the
        :data:`COMMON_PREFIXES` when present.
    :returns: a truthy :class:`~hookpoint.Verification`, or a failure with reason
        ``"no secret configured"``, ``"missing signature header"``, ``"malformed signature"`` or
        ``"signature mismatch"``.

    >>> body = b"Hello, World!"
    >>> bool(verify_hmac(body, sign_hex("s3", body, prefix="sha256="), ["s1", "s3"]))
    True
    >>> verify_hmac(body, "sha256=00", "s3").reason
    'malformed signature'
    """
    size = digest_size(algorithm)
    if encoding not in _ENCODINGS:
        raise ValueError(f"unknown signature encoding {encoding!r} (use hex, base64 or auto)")
    if prefix is not None and not isinstance(prefix, str):
        raise TypeError("prefix must be a str or None")
    keys = secrets_as_bytes(secrets)
    signed = request_body(request_or_body) if message is None else message
    if not isinstance(signed, bytes | bytearray | memoryview):
        raise TypeError(f"message must be bytes, not {type(signed).__name__}")
    if not keys:
        return _FAIL_NO_SECRET
    if signatures is None:
        return _FAIL_MISSING
    values = (signatures,) if isinstance(signatures, str | bytes) else signatures
    candidates, seen_any = _collect(values, encoding, size, prefix, COMMON_PREFIXES, 32)
    if not candidates:
        return _FAIL_MALFORMED if seen_any else _FAIL_MISSING
    if _matches(keys, signed, candidates, algorithm, size):
        return _OK
    return _FAIL_MISMATCH
