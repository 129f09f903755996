"""HMAC signature schemes: how a signature is written (:class:`HmacScheme`), where it travels
(:class:`HeaderSignature`: one header over the raw body; :class:`PairHeaderSignature` and
:class:`SplitHeaderSignature`: timestamped, over a :class:`SignedTemplate`), Standard Webhooks,
and shared-token comparison."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from .. import signing
from .._models import Sample, Verification
from ._events import EventSpec, compact_json, header, to_datetime, unix_seconds, with_headers
from ._keys import ed25519_sign, ed25519_verify
from ._plugin import settings_tolerance

if TYPE_CHECKING:
    from .._request import WebhookRequest


REASON_BAD_KEY = "invalid key configured"


@dataclass(frozen=True)
class HmacScheme:
    """How a sender writes an HMAC signature: hash, encoding and prefix.

    >>> HmacScheme(prefix="sha256=").sign("It's a Secret to Everybody", b"Hello, World!")[:16]
    'sha256=757107ea0'
    """

    algorithm: Literal["sha1", "sha256", "sha512"] = "sha256"
    encoding: Literal["hex", "base64"] = "hex"
    prefix: str = ""

    def sign(self, secret: str | bytes, message: bytes) -> str:
        """The signature string the sender would send for ``message``."""
        if self.encoding == "hex":
            return signing.sign_hex(secret, message, self.algorithm, prefix=self.prefix)
        return signing.sign_base64(secret, message, self.algorithm, prefix=self.prefix)

    def verify(
        self,
        message: bytes,
        signatures: str | Iterable[str] | None,
        secrets: Sequence[str | bytes],
    ) -> Verification:
        """Every secret × every signature, constant time; failures carry a short reason."""
        return signing.verify_hmac(
            message,
            signatures,
            list(secrets),
            message=message,
            algorithm=self.algorithm,
            encoding=self.encoding,
            prefix=self.prefix,
        )


@dataclass(frozen=True)
class HeaderSignature:
    """An HMAC signature in one header, over the raw body or over bytes the provider builds.

    >>> github = HeaderSignature("X-Hub-Signature-256", HmacScheme(prefix="sha256="))
    """

    header: str
    scheme: HmacScheme = field(default_factory=HmacScheme)

    def verify(
        self, request: WebhookRequest, secrets: Sequence[str | bytes], message: bytes | None = None
    ) -> Verification:
        signed = request.body if message is None else message
        return self.scheme.verify(signed, request.headers.getlist(self.header), secrets)

    def sign(
        self, request: WebhookRequest, secret: str | bytes, message: bytes | None = None
    ) -> WebhookRequest:
        signed = request.body if message is None else message
        return with_headers(request, {self.header: self.scheme.sign(secret, signed)})

    def verify_request(
        self, request: WebhookRequest, settings: BaseModel, secrets: Sequence[str], now: float
    ) -> Verification:
        return self.verify(request, secrets)

    def sign_request(
        self, request: WebhookRequest, settings: BaseModel, secret: str, now: float
    ) -> WebhookRequest:
        return self.sign(request, secret)


_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}"
    r"(?:\.[0-9]{1,9})?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})",
    re.ASCII,
)


def _rfc3339_seconds(value: str) -> float | None:
    """Unix seconds of an RFC 3339 date-time (``2023-07-19T14:56:51.634234626Z``; digits past
    the microsecond are dropped), ``None`` for anything else."""
    if not _RFC3339.fullmatch(value):
        return None
    when = to_datetime(value.upper())
    return when.timestamp() if when is not None else None


@dataclass(frozen=True)
class SignedTemplate:
    """The signed string of a timestamped scheme, and the tolerance check in front of it.

    ``template`` names its parts in braces; ``{body}`` stands for the raw body bytes (never
    decoded), every other part is text::

        >>> SignedTemplate("v0:{timestamp}:{body}").message(b"x=1", timestamp="1531420618")
        b'v0:1531420618:x=1'

    ``unit`` is how the sender writes its timestamp: Unix seconds (``"s"``), milliseconds
    (``"ms"``) or an RFC 3339 UTC date-time (``"rfc3339"``, Twitch EventSub).
    """

    template: str
    scheme: HmacScheme = field(default_factory=HmacScheme)
    unit: Literal["s", "ms", "rfc3339"] = "s"

    def message(self, body: bytes, **parts: str) -> bytes:
        before, found, after = self.template.partition("{body}")
        head = before.format(**parts).encode("utf-8")
        if not found:
            return head
        return head + body + after.format(**parts).encode("utf-8")

    def stamp(self, now: float) -> str:
        """``now`` (Unix seconds) written the way the sender writes its timestamp.

        >>> SignedTemplate("{timestamp}", unit="rfc3339").stamp(1700000000.5)
        '2023-11-14T22:13:20.500000Z'
        """
        if self.unit == "ms":
            return str(int(now * 1000))
        if self.unit == "rfc3339":
            return datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return unix_seconds(now)

    def check(self, timestamp: str | None, now: float, tolerance: float) -> str | None:
        """``None`` when ``timestamp`` is within ``tolerance`` of ``now`` (either way), else the
        reason (:func:`hookpoint.signing.check_timestamp`'s reasons)."""
        if self.unit != "rfc3339":
            return signing.check_timestamp(timestamp, now, tolerance, unit=self.unit)
        if not timestamp:
            return signing.REASON_MISSING_TIMESTAMP
        seconds = _rfc3339_seconds(timestamp)
        if seconds is None:
            return signing.REASON_MALFORMED_TIMESTAMP
        return signing.check_timestamp(seconds, now, tolerance)

    def verify(
        self,
        body: bytes,
        secrets: Sequence[str | bytes],
        *,
        signatures: str | Iterable[str] | None,
        timestamp: str | None,
        now: float,
        tolerance: float,
        **parts: str,
    ) -> Verification:
        """Reject a missing, malformed, stale or future timestamp, then check the signatures."""
        reason = self.check(timestamp, now, tolerance)
        if reason is not None:
            return Verification.refused(reason)
        assert timestamp is not None
        return self.scheme.verify(
            self.message(body, timestamp=timestamp, **parts), signatures, secrets
        )

    def sign(self, secret: str | bytes, body: bytes, *, timestamp: str, **parts: str) -> str:
        return self.scheme.sign(secret, self.message(body, timestamp=timestamp, **parts))


class TimestampedScheme:
    """Base of the timestamped schemes: their :class:`RequestScheme` methods, written once.

    A subclass has a ``tolerance`` (the default when the endpoint's settings have none) and
    implements ``verify(request, secrets, now, tolerance)`` and ``sign(request, secret, now)``.
    """

    tolerance: float

    def verify(
        self, request: WebhookRequest, secrets: Sequence[str], now: float, tolerance: float
    ) -> Verification:
        raise NotImplementedError

    def sign(self, request: WebhookRequest, secret: str, now: float) -> WebhookRequest:
        raise NotImplementedError

    def verify_request(
        self, request: WebhookRequest, settings: BaseModel, secrets: Sequence[str], now: float
    ) -> Verification:
        """:meth:`verify` with the endpoint's ``tolerance`` (else ``self.tolerance``)."""
        return self.verify(request, secrets, now, settings_tolerance(settings, self.tolerance))

    def sign_request(
        self, request: WebhookRequest, settings: BaseModel, secret: str, now: float
    ) -> WebhookRequest:
        return self.sign(request, secret, now)


@dataclass(frozen=True)
class PairHeaderSignature(TimestampedScheme):
    """Timestamp and signatures in one ``key=value`` list header: ``t=…,v1=…[,v1=…]``.

    Every value under ``signature_key`` is tried (rotation), unknown keys are ignored; spaces
    around pairs are ignored too. The signer writes pairs joined with ``sign_sep`` (default
    ``pair_sep``; WorkOS writes ``"t=…, v1=…"``) and the timestamp in ``signed.unit``.
    """

    header: str
    signed: SignedTemplate
    timestamp_key: str = "t"
    signature_key: str = "v1"
    pair_sep: str = ","
    tolerance: float = 300
    """Default tolerance when the endpoint's settings have no ``tolerance``."""
    sign_sep: str | None = None
    """What the signer puts between pairs (``None``: ``pair_sep``)."""

    def parse(self, request: WebhookRequest) -> tuple[str | None, list[str]]:
        pairs = signing.parse_signature_header(header(request, self.header), pair_sep=self.pair_sep)
        timestamp = next((v for k, v in pairs if k == self.timestamp_key), None)
        return timestamp, [v for k, v in pairs if k == self.signature_key]

    def verify(
        self, request: WebhookRequest, secrets: Sequence[str | bytes], now: float, tolerance: float
    ) -> Verification:
        if header(request, self.header) is None:
            return Verification.refused(signing.REASON_MISSING)
        timestamp, signatures = self.parse(request)
        result = self.signed.verify(
            request.body,
            secrets,
            signatures=signatures,
            timestamp=timestamp,
            now=now,
            tolerance=tolerance,
        )
        if result.reason == signing.REASON_MISSING:
            # the header is there, without a usable ``signature_key`` value (e.g. Stripe's v0 only)
            return Verification.refused(signing.REASON_MALFORMED)
        return result

    def sign(self, request: WebhookRequest, secret: str | bytes, now: float) -> WebhookRequest:
        timestamp = self.signed.stamp(now)
        signature = self.signed.sign(secret, request.body, timestamp=timestamp)
        sep = self.pair_sep if self.sign_sep is None else self.sign_sep
        value = f"{self.timestamp_key}={timestamp}{sep}{self.signature_key}={signature}"
        return with_headers(request, {self.header: value})


@dataclass(frozen=True)
class SplitHeaderSignature(TimestampedScheme):
    """Signature and timestamp in two headers (Slack ``X-Slack-Signature`` +
    ``X-Slack-Request-Timestamp``, Zoom ``x-zm-signature`` + ``x-zm-request-timestamp``); the
    signer writes the timestamp in ``signed.unit``.

    ``part_headers`` names further headers the template signs (Twitch EventSub signs
    ``Twitch-Eventsub-Message-Id`` as ``{id}``): a request without one is refused; signing keeps
    the request's own value, else writes one derived from the body (a UUID, stable per body).
    ``parts`` given to :meth:`verify` and :meth:`sign` fill the template's other names (HubSpot
    signs ``"{method}{uri}{body}{timestamp}"``).
    """

    signature_header: str
    timestamp_header: str
    signed: SignedTemplate
    tolerance: float = 300
    """Default tolerance when the endpoint's settings have no ``tolerance``."""
    part_headers: Mapping[str, str] = field(default_factory=dict)

    def verify(
        self,
        request: WebhookRequest,
        secrets: Sequence[str | bytes],
        now: float,
        tolerance: float,
        **parts: str,
    ) -> Verification:
        signatures = request.headers.getlist(self.signature_header)
        if not signatures:
            return Verification.refused(signing.REASON_MISSING)
        from_headers: dict[str, str] = {}
        for part, name in self.part_headers.items():
            value = header(request, name)
            if value is None:
                return Verification.refused(f"missing {name} header")
            from_headers[part] = value
        return self.signed.verify(
            request.body,
            secrets,
            signatures=signatures,
            timestamp=header(request, self.timestamp_header),
            now=now,
            tolerance=tolerance,
            **parts,
            **from_headers,
        )

    def sign(
        self, request: WebhookRequest, secret: str | bytes, now: float, **parts: str
    ) -> WebhookRequest:
        timestamp = self.signed.stamp(now)
        derived = str(uuid.UUID(bytes=hashlib.sha256(request.body).digest()[:16]))
        from_headers = {
            part: header(request, name) or derived for part, name in self.part_headers.items()
        }
        signature = self.signed.sign(
            secret, request.body, timestamp=timestamp, **parts, **from_headers
        )
        return with_headers(
            request,
            {
                **{name: from_headers[part] for part, name in self.part_headers.items()},
                self.timestamp_header: timestamp,
                self.signature_header: signature,
            },
        )


def v0_signature(
    signature_header: str, timestamp_header: str, *, tolerance: float = 300
) -> SplitHeaderSignature:
    """The ``v0`` scheme Slack and Zoom share: ``<signature_header>: v0=<hex HMAC-SHA256 of
    "v0:{timestamp}:{raw body}">`` with the timestamp in ``timestamp_header``."""
    template = SignedTemplate("v0:{timestamp}:{body}", HmacScheme(prefix="v0="))
    return SplitHeaderSignature(signature_header, timestamp_header, template, tolerance)


def matches_any_secret(value: str | None, secrets: Iterable[str]) -> bool:
    """True when ``value`` equals one of the non-empty ``secrets``: shared-token schemes (GitLab's
    ``X-Gitlab-Token``, Microsoft Graph's ``clientState``). Every secret is compared in constant
    time with no early exit; ``None`` or ``""`` never matches.

    >>> matches_any_secret("s3cr3t-token", ["old-token", "s3cr3t-token"])
    True
    """
    if not isinstance(value, str) or not value:
        return False
    matched = False
    for secret in secrets:
        if isinstance(secret, str) and secret:
            matched |= signing.constant_time_equals(value, secret)
    return matched


REASON_TOKEN_MISMATCH = "token mismatch"  # noqa: S105 - a reason, not a secret


@dataclass(frozen=True)
class HeaderToken:
    """A shared secret the sender sends verbatim in one header, with no signature: Telegram's
    ``X-Telegram-Bot-Api-Secret-Token``, GitLab's ``X-Gitlab-Token``.

    The header must be there exactly once (a repeated header is malformed) and equal one of the
    configured secrets, every one compared in constant time (:func:`matches_any_secret`). It
    proves the sender knows the secret and nothing more: the body and the time are not covered,
    so a replayed or altered delivery that carries the token still verifies (HTTPS keeps the
    token secret on the way; the event id keeps a retry from running twice).

    >>> telegram = HeaderToken("X-Telegram-Bot-Api-Secret-Token")
    """

    header: str

    def verify(self, request: WebhookRequest, secrets: Sequence[str]) -> Verification:
        values = request.headers.getlist(self.header)
        if not values:
            return Verification.refused(signing.REASON_MISSING)
        if len(values) > 1:
            return Verification.refused(signing.REASON_MALFORMED)
        if not matches_any_secret(values[0], secrets):
            return Verification.refused(REASON_TOKEN_MISMATCH)
        return Verification.verified()

    def sign(self, request: WebhookRequest, secret: str) -> WebhookRequest:
        """The request as the sender sends it: the token itself in the header."""
        return with_headers(request, {self.header: secret})

    def verify_request(
        self, request: WebhookRequest, settings: BaseModel, secrets: Sequence[str], now: float
    ) -> Verification:
        if not any(isinstance(secret, str) and secret for secret in secrets):
            return Verification.refused(signing.REASON_NO_SECRET)
        return self.verify(request, secrets)

    def sign_request(
        self, request: WebhookRequest, settings: BaseModel, secret: str, now: float
    ) -> WebhookRequest:
        return self.sign(request, secret)


def _b64decode(text: str) -> bytes | None:
    """Standard base64, padding optional (the reference libraries accept unpadded secrets)."""
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


@dataclass(frozen=True)
class StandardWebhooksScheme(TimestampedScheme):
    """Standard Webhooks (https://www.standardwebhooks.com) and Svix.

    Headers ``<prefix>-id``, ``<prefix>-timestamp`` and ``<prefix>-signature`` with prefix
    ``webhook`` (the spec) or ``svix`` (Svix, Clerk, Resend); :meth:`verify` reads whichever set
    the request carries, ``svix-*`` first like Svix's library. The signed string is
    ``"{id}.{timestamp}.{body}"``; the signature header is a space-separated list of
    ``v1,<base64 HMAC-SHA256>`` and ``v1a,<base64 Ed25519>``; one match is enough.

    Keys: ``whsec_<base64>`` is a symmetric secret (HMAC key = the decoded bytes; a secret
    without the prefix is read as base64 too, like the reference library), ``whpk_<base64>`` an
    Ed25519 public key (verify only) and ``whsk_<base64>`` an Ed25519 private key (sign only:
    32-byte seed, or 64 bytes seed + public key).
    """

    header_prefixes: tuple[str, ...] = ("svix", "webhook")
    sign_prefix: str = "webhook"
    signed: SignedTemplate = field(
        default_factory=lambda: SignedTemplate(
            "{id}.{timestamp}.{body}", HmacScheme(encoding="base64")
        )
    )

    tolerance: float = 300
    """Default tolerance when the endpoint's settings have no ``tolerance``."""

    SYMMETRIC = "whsec_"
    PUBLIC = "whpk_"
    PRIVATE = "whsk_"

    @property
    def verification(self) -> str:
        """The symmetric scheme in one line, under the header names the sender signs with (for
        :attr:`hookpoint.ProviderInfo.verification`)."""
        p = self.sign_prefix
        return (
            f"{p}-signature: space-separated 'v1,<base64 HMAC-SHA256 of "
            f'"{{{p}-id}}.{{{p}-timestamp}}.{{raw body}}">\' keyed with the base64-decoded '
            f"whsec_ secret; tolerance {self.tolerance:g} s both ways"
        )

    def events(
        self,
        *,
        type: Sequence[str] = ("body:type",),
        time: Sequence[str] | None = None,
        time_unit: Literal["s", "ms"] = "s",
        fields: Mapping[str, str] | None = None,
    ) -> EventSpec:
        """The :class:`EventSpec` of a sender using this scheme: ``type`` from the body's
        ``type`` (the spec's payload structure) unless given; the dedupe id is the message id
        of the header set :meth:`verify` reads (``svix-id`` before ``webhook-id``: stable
        across retries, and a request signed with one set cannot bring an unsigned id in the
        other); ``time`` defaults to that set's signed timestamp."""
        prefixes = self.header_prefixes
        return EventSpec(
            type=tuple(type),
            id=tuple(f"header:{prefix}-id" for prefix in prefixes),
            time=tuple(f"header:{prefix}-timestamp" for prefix in prefixes)
            if time is None
            else tuple(time),
            time_unit=time_unit,
            fields=dict(fields or {}),
        )

    def sample(
        self,
        name: str,
        msg_id: str,
        body: bytes | Mapping[str, Any],
        *,
        secret: str,
        description: str = "",
        **extra: Any,
    ) -> Sample:
        """A :class:`~hookpoint.Sample` of a delivery this scheme's sender makes: ``body`` (a
        mapping goes on the wire as compact JSON, and its ``type`` is the sample's
        ``event_type`` unless given) with the sender's message id in ``<sign_prefix>-id``, which
        :meth:`sign` keeps, so a signed sample always has the same dedupe id. ``extra`` are
        further :class:`~hookpoint.Sample` fields (``verify_secret``, ``settings``, …)."""
        if not isinstance(body, bytes):
            kind = body.get("type")
            extra.setdefault("event_type", kind if isinstance(kind, str) else None)
            body = compact_json(body)
        return Sample(
            name=name,
            description=description,
            headers={"Content-Type": "application/json", f"{self.sign_prefix}-id": msg_id},
            body=body,
            secret=secret,
            **extra,
        )

    def headers_of(self, request: WebhookRequest) -> tuple[str | None, str | None, str | None]:
        """``(id, timestamp, signature)`` from the first header set the request carries."""
        for prefix in self.header_prefixes:
            values = tuple(
                header(request, f"{prefix}-{part}") for part in ("id", "timestamp", "signature")
            )
            if any(values):
                return values  # type: ignore[return-value]
        return None, None, None

    def keys(self, secrets: Sequence[str]) -> tuple[list[bytes], list[bytes], int]:
        """``(hmac_keys, ed25519_public_keys, undecodable)``: secrets that are not base64 are
        counted and skipped, so one bad entry does not break a rotation."""
        hmac_keys: list[bytes] = []
        public_keys: list[bytes] = []
        bad = 0
        for secret in secrets:
            if not secret:
                continue
            is_public = secret.startswith(self.PUBLIC)
            key = _b64decode(signing.strip_prefix(secret, (self.SYMMETRIC, self.PUBLIC)))
            if not key:
                bad += 1
                continue
            (public_keys if is_public else hmac_keys).append(key)
        return hmac_keys, public_keys, bad

    def verify(
        self, request: WebhookRequest, secrets: Sequence[str], now: float, tolerance: float
    ) -> Verification:
        msg_id, timestamp, signature = self.headers_of(request)
        hmac_keys, public_keys, bad = self.keys(secrets)
        if not hmac_keys and not public_keys:
            return Verification.refused(REASON_BAD_KEY if bad else signing.REASON_NO_SECRET)
        if not signature:
            return Verification.refused(signing.REASON_MISSING)
        if not msg_id:
            return Verification.refused("missing message id")
        reason = signing.check_timestamp(timestamp, now, tolerance)
        if reason is not None:
            return Verification.refused(reason)
        assert timestamp is not None
        message = self.signed.message(request.body, id=msg_id, timestamp=timestamp)
        versions = signing.parse_space_separated_versions(signature)
        symmetric = [sig for version, sig in versions if version == "v1"]
        asymmetric = [sig for version, sig in versions if version == "v1a"]
        if public_keys and self._ed25519_matches(public_keys, message, asymmetric):
            return Verification.verified()
        if hmac_keys and symmetric:
            return self.signed.scheme.verify(message, symmetric, hmac_keys)
        if symmetric or asymmetric:
            return Verification.refused(signing.REASON_MISMATCH)
        return Verification.refused(signing.REASON_MALFORMED)

    @staticmethod
    def _ed25519_matches(public_keys: list[bytes], message: bytes, signatures: list[str]) -> bool:
        decoded = [raw for raw in map(_b64decode, signatures[:32]) if raw]
        return any(ed25519_verify(key, message, sig) for key in public_keys for sig in decoded)

    def sign(
        self, request: WebhookRequest, secret: str, now: float, msg_id: str | None = None
    ) -> WebhookRequest:
        """Sign like the sender: ``v1`` with a ``whsec_`` secret, ``v1a`` with a ``whsk_`` key.

        The message id is the request's own id header when it has one, else ``msg_id`` or one
        derived from the body (stable, so a re-signed sample keeps its dedupe id).
        """
        timestamp = unix_seconds(now)
        current = self.headers_of(request)[0]
        msg_id = current or msg_id or "msg_" + hashlib.sha256(request.body).hexdigest()[:27]
        message = self.signed.message(request.body, id=msg_id, timestamp=timestamp)
        if secret.startswith(self.PRIVATE):
            seed = _b64decode(secret[len(self.PRIVATE) :]) or b""
            raw = ed25519_sign(seed[:32], message)
            value = "v1a," + base64.b64encode(raw).decode("ascii")
        else:
            key = _b64decode(signing.strip_prefix(secret, self.SYMMETRIC))
            if not key:
                raise ValueError("a Standard Webhooks secret is whsec_<base64> or whsk_<base64>")
            value = "v1," + self.signed.scheme.sign(key, message)
        prefix = self.sign_prefix
        return with_headers(
            request,
            {
                f"{prefix}-id": msg_id,
                f"{prefix}-timestamp": timestamp,
                f"{prefix}-signature": value,
            },
        )
