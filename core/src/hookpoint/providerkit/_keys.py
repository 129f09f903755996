"""Public-key signatures: Ed25519 over raw keys, keys in the forms senders' dashboards show them
(Ed25519, ECDSA P-256), and the "signature over timestamp + body in two headers" scheme
(Discord, SendGrid). ``cryptography`` is imported only when a key is used: only the providers
that verify public-key signatures depend on it."""

from __future__ import annotations

import base64
import contextlib
import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from .. import signing
from .._models import Verification
from ._events import header, unix_seconds, with_headers

if TYPE_CHECKING:
    from .._request import WebhookRequest


def ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True when ``signature`` is a valid Ed25519 signature of ``message`` under the raw
    32-byte ``public_key``. Never raises on bad input (wrong sizes are simply not valid).

    :raises ModuleNotFoundError: when ``cryptography`` is not installed (a provider that needs
        it depends on it).
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if len(public_key) != 32 or len(signature) != 64:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def ed25519_sign(private_key: bytes, message: bytes) -> bytes:
    """The Ed25519 signature of ``message`` with the raw 32-byte private key (seed)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(private_key).sign(message)


def ed25519_public_key(private_key: bytes) -> bytes:
    """The raw 32-byte public key of a raw 32-byte Ed25519 private key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = Ed25519PrivateKey.from_private_bytes(private_key).public_key()
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


PublicKeyAlgorithm = Literal["ed25519", "ecdsa-p256-sha256"]
"""``"ed25519"`` (Discord) or ``"ecdsa-p256-sha256"`` (SendGrid: ECDSA P-256 with SHA-256)."""


REASON_NO_PUBLIC_KEY = "no valid public key configured"


_PEM_MARK = "-----BEGIN "


_MAX_KEY_TEXT = 16_384


def _key_bytes(key_text: str) -> list[bytes]:
    """The byte strings a key written as hex or base64 may stand for (never raises)."""
    value = "".join(key_text.split())
    found: list[bytes] = []
    for decoded in (
        signing.decode_signature(value, "hex"),
        signing.decode_signature(value, "base64"),
    ):
        if decoded and decoded not in found:
            found.append(decoded)
    return found


def _key_of(candidates: Iterable[Any], algorithm: PublicKeyAlgorithm, private: bool) -> Any:
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    for key in candidates:
        if algorithm == "ed25519":
            kind: Any = ed25519.Ed25519PrivateKey if private else ed25519.Ed25519PublicKey
            if isinstance(key, kind):
                return key
        else:
            kind = ec.EllipticCurvePrivateKey if private else ec.EllipticCurvePublicKey
            if isinstance(key, kind) and isinstance(key.curve, ec.SECP256R1):
                return key
    return None


@functools.lru_cache(maxsize=256)
def load_public_key(key_text: str, algorithm: PublicKeyAlgorithm) -> Any:
    """A ``cryptography`` public key from the text a sender's dashboard shows, or ``None``.

    Ed25519: the raw 32-byte key as hex (Discord's Developer Portal) or base64, base64 DER
    SubjectPublicKeyInfo, or PEM. ECDSA P-256: base64 DER SubjectPublicKeyInfo (SendGrid's Mail
    Settings), PEM, or the uncompressed point as hex/base64. A key of another type or curve gives
    ``None``; never raises on input. Cached: a key is parsed once, not per request.
    """
    if not isinstance(key_text, str) or not key_text.strip() or len(key_text) > _MAX_KEY_TEXT:
        return None
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    candidates: list[Any] = []
    if _PEM_MARK in key_text:
        with contextlib.suppress(ValueError, TypeError, UnicodeError):
            candidates.append(serialization.load_pem_public_key(key_text.strip().encode()))
    for raw in () if candidates else _key_bytes(key_text):
        with contextlib.suppress(ValueError, TypeError):
            if algorithm == "ed25519" and len(raw) == 32:
                candidates.append(ed25519.Ed25519PublicKey.from_public_bytes(raw))
            elif algorithm == "ecdsa-p256-sha256" and len(raw) == 65 and raw[0] == 4:
                candidates.append(ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw))
            else:
                candidates.append(serialization.load_der_public_key(raw))
    return _key_of(candidates, algorithm, private=False)


@functools.lru_cache(maxsize=64)
def load_private_key(key_text: str, algorithm: PublicKeyAlgorithm) -> Any:
    """A ``cryptography`` private key (for sign hooks and tests), or ``None``.

    Ed25519: the 32-byte seed as hex or base64 (RFC 8032 test keys are written this way), base64
    DER PKCS#8 or PEM. ECDSA P-256: base64 DER PKCS#8/SEC1 or PEM. Never raises on input.
    """
    if not isinstance(key_text, str) or not key_text.strip() or len(key_text) > _MAX_KEY_TEXT:
        return None
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    candidates: list[Any] = []
    if _PEM_MARK in key_text:
        with contextlib.suppress(ValueError, TypeError, UnicodeError):
            candidates.append(
                serialization.load_pem_private_key(key_text.strip().encode(), password=None)
            )
    for raw in () if candidates else _key_bytes(key_text):
        with contextlib.suppress(ValueError, TypeError):
            if algorithm == "ed25519" and len(raw) == 32:
                candidates.append(ed25519.Ed25519PrivateKey.from_private_bytes(raw))
            else:
                candidates.append(serialization.load_der_private_key(raw, password=None))
    return _key_of(candidates, algorithm, private=True)


def public_key_text(private_key: str, algorithm: PublicKeyAlgorithm) -> str:
    """The public key of ``private_key`` written as the sender's dashboard shows it: hex for
    Ed25519 (Discord), base64 DER SubjectPublicKeyInfo for ECDSA (SendGrid).

    :raises ValueError: when ``private_key`` is not a private key of ``algorithm``.
    """
    from cryptography.hazmat.primitives import serialization

    key = load_private_key(private_key, algorithm)
    if key is None:
        raise ValueError(f"not a {algorithm} private key")
    public = key.public_key()
    if algorithm == "ed25519":
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return bytes(raw).hex()
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode("ascii")


def verify_with_public_keys(
    secrets: Iterable[str],
    message: bytes,
    signature: bytes | None,
    *,
    algorithm: PublicKeyAlgorithm,
) -> Verification:
    """Check ``signature`` over ``message`` with every configured public key (rotation).

    :param secrets: the endpoint's secrets, each a public key as :func:`load_public_key` reads
        it (secrets that are not keys of ``algorithm`` are skipped).
    :param signature: the decoded signature (Ed25519: 64 raw bytes; ECDSA: DER); ``None`` when it
        did not decode.
    :returns: success, or a failure with reason ``"no valid public key configured"``,
        ``"malformed signature"`` or ``"signature mismatch"``.
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    keys = [key for key in (load_public_key(s, algorithm) for s in secrets) if key is not None]
    if not keys:
        return Verification.refused(REASON_NO_PUBLIC_KEY)
    if signature is None or (algorithm == "ed25519" and len(signature) != 64):
        return Verification.refused(signing.REASON_MALFORMED)
    for key in keys:
        try:
            if algorithm == "ed25519":
                key.verify(signature, message)
            else:
                key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        except (InvalidSignature, ValueError, TypeError):
            continue
        return Verification.verified()
    return Verification.refused(signing.REASON_MISMATCH)


def sign_with_private_key(secret: str, message: bytes, *, algorithm: PublicKeyAlgorithm) -> bytes:
    """Sign ``message`` as the sender does: a raw Ed25519 signature, or a DER ECDSA P-256/SHA-256
    signature.

    :raises ValueError: when ``secret`` is not a private key of ``algorithm``.
    """
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    key = load_private_key(secret, algorithm)
    if key is None:
        raise ValueError(f"the signing secret is not a {algorithm} private key")
    if algorithm == "ed25519":
        return bytes(key.sign(message))
    return bytes(key.sign(message, ec.ECDSA(hashes.SHA256())))


@dataclass(frozen=True)
class TimestampedKeySignature:
    """A public-key signature over ``"{timestamp}{raw body}"``, signature and timestamp in two
    headers (Discord ``X-Signature-Ed25519`` + ``X-Signature-Timestamp``, hex Ed25519; SendGrid
    ``X-Twilio-Email-Event-Webhook-Signature`` + ``…-Timestamp``, base64 DER ECDSA).

    The endpoint's secrets are public keys; :meth:`sign` takes the matching private key. The
    timestamp must be within ``tolerance`` seconds of ``now`` in both directions (the endpoint's
    ``tolerance`` setting, else :attr:`tolerance`); ``None`` checks no time, as the senders' own
    libraries do (the timestamp is still signed and required).
    """

    algorithm: PublicKeyAlgorithm
    signature_header: str
    timestamp_header: str
    encoding: Literal["hex", "base64"]
    tolerance: float | None = None

    def verify(
        self, request: WebhookRequest, secrets: Sequence[str], now: float, tolerance: float | None
    ) -> Verification:
        signature = header(request, self.signature_header)
        if signature is None:
            return Verification.refused(signing.REASON_MISSING)
        timestamp = header(request, self.timestamp_header)
        if timestamp is None:
            return Verification.refused(signing.REASON_MISSING_TIMESTAMP)
        reason = signing.check_timestamp(
            timestamp, now, math.inf if tolerance is None else tolerance
        )
        if reason is not None:
            return Verification.refused(reason)
        return verify_with_public_keys(
            secrets,
            signing.join_message(timestamp, request.body),
            signing.decode_signature(signature, self.encoding),
            algorithm=self.algorithm,
        )

    def sign(self, request: WebhookRequest, secret: str, now: float) -> WebhookRequest:
        timestamp = unix_seconds(now)
        raw = sign_with_private_key(
            secret, signing.join_message(timestamp, request.body), algorithm=self.algorithm
        )
        value = raw.hex() if self.encoding == "hex" else base64.b64encode(raw).decode("ascii")
        return with_headers(
            request, {self.timestamp_header: timestamp, self.signature_header: value}
        )

    def verify_request(
        self, request: WebhookRequest, settings: BaseModel, secrets: Sequence[str], now: float
    ) -> Verification:
        """:meth:`verify` with the endpoint's ``tolerance`` setting (``None``: no time check);
        ``self.tolerance`` when the settings model has none."""
        tolerance = getattr(settings, "tolerance", self.tolerance)
        if not isinstance(tolerance, int | float) or isinstance(tolerance, bool):
            tolerance = None
        return self.verify(request, secrets, now, tolerance)

    def sign_request(
        self, request: WebhookRequest, settings: BaseModel, secret: str, now: float
    ) -> WebhookRequest:
        return self.sign(request, secret, now)
