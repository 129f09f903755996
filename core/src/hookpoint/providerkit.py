"""Building blocks for provider plugins: the parts several senders' schemes share, written once.

:mod:`hookpoint.signing` has the primitives (HMAC, decoding, header parsing, timestamp checks).
This module assembles them into the shapes webhook senders actually use, so a provider package
only *declares* its scheme and keeps nothing but what is unique to its sender:

* :class:`ProviderPlugin` - a one-provider plugin as one object (the ``provider != NAME``
  dispatch, settings coercion), named by the package's entry point (``"hookpoint_acme:PLUGIN"``);
* :class:`HmacScheme` - how a signature is encoded (algorithm, hex/base64, prefix) and the
  "every secret × every candidate signature, constant time" check, plus the matching signer;
* :class:`HeaderSignature` - an HMAC in one header over the raw body (or over given bytes):
  GitHub, Shopify, Linear, Square, Twilio, Typeform, Intercom, Dropbox, Asana, X …;
* :class:`SignedTemplate` - the signed string of a timestamped scheme (``"{timestamp}.{body}"``,
  ``"v0:{timestamp}:{body}"``, ``"{id}.{timestamp}.{body}"``) with the tolerance check in front;
* :class:`PairHeaderSignature` (``t=…,v1=…`` / ``ts=…;h1=…``: Stripe, Paddle, Calendly) and
  :class:`SplitHeaderSignature` (signature and timestamp in two headers; :func:`v0_signature`
  is Slack's and Zoom's ``v0`` scheme), both subclasses of :class:`TimestampedScheme`, whose
  endpoint ``tolerance`` setting applies in both directions;
* :class:`RequestScheme` - what :class:`ProviderPlugin` needs from a scheme
  (``verify_request``/``sign_request``): every scheme class here is one;
* :class:`StandardWebhooksScheme` - Standard Webhooks / Svix (``webhook-*`` or ``svix-*``
  headers, ``whsec_`` keys, space-separated ``v1,`` lists, ``v1a`` Ed25519): also Clerk, Resend
  and GitLab's signing token;
* :func:`ed25519_verify` / :func:`ed25519_sign` - Ed25519 over raw keys (Standard Webhooks
  ``v1a``, Discord), importing ``cryptography`` only when called;
* :func:`echo_challenge` / :func:`json_challenge` - handshake answers that echo a value;
  :func:`signed_handshake` - answer a handshake the sender signs only once it verifies;
  :func:`refuse_handshake` - refuse one in the host's own JSON error shape, with its reason;
* :class:`EventSpec` - an :class:`~hookpoint.EventInfo` read from header/body/query/form paths,
  with a body-hash dedupe id when the sender names none;
* :class:`ProviderSettings` / :func:`tolerance_field` - settings models (unknown keys forbidden)
  and the documented ``tolerance`` setting of timestamped schemes;
* :class:`PayloadModel` / :func:`payload_parser` - tolerant typed models of event bodies.

Nothing here raises on hostile request input: verification returns a failed
:class:`~hookpoint.Verification` with a short, secret-free reason, description returns what it can.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar
from urllib.parse import parse_qsl, urlsplit

from pydantic import BaseModel, ConfigDict, Field

from . import signing
from ._models import ChallengeResponse, EventInfo, ProviderInfo, Verification
from ._request import MAX_FORM_FIELDS
from .hookspecs import hookimpl

if TYPE_CHECKING:
    from ._request import WebhookRequest

__all__ = [
    "HANDSHAKE_MAX_BODY",
    "HOOK_NAMES",
    "REASON_BAD_KEY",
    "EventSpec",
    "HeaderSignature",
    "HmacScheme",
    "PairHeaderSignature",
    "PayloadModel",
    "ProviderPlugin",
    "ProviderSettings",
    "RequestScheme",
    "SignedTemplate",
    "SplitHeaderSignature",
    "StandardWebhooksScheme",
    "TimestampedScheme",
    "body_digest",
    "compact_json",
    "echo_challenge",
    "ed25519_public_key",
    "ed25519_sign",
    "ed25519_verify",
    "form_params",
    "handshake_json",
    "header",
    "json_challenge",
    "json_object",
    "lookup",
    "payload_parser",
    "query_params",
    "refuse_handshake",
    "settings_tolerance",
    "signed_handshake",
    "text",
    "to_datetime",
    "tolerance_field",
    "unix_seconds",
    "v0_signature",
    "with_headers",
]

S = TypeVar("S", bound=BaseModel)
M = TypeVar("M", bound=BaseModel)

REASON_BAD_KEY = "invalid key configured"

_MAX_TIME = 253402300799.0  # 9999-12-31T23:59:59Z: the last second datetime can hold


# -- the plugin object ----------------------------------------------------------------------------

VerifyFn = Callable[["WebhookRequest", S, Sequence[str], float], Verification]
ChallengeFn = Callable[["WebhookRequest", S, Sequence[str]], ChallengeResponse | None]
DescribeFn = Callable[["WebhookRequest", S], EventInfo | None]
SignFn = Callable[["WebhookRequest", S, str, float], "WebhookRequest"]

HOOK_NAMES = (
    "hookpoint_register_providers",
    "hookpoint_challenge_response",
    "hookpoint_verify_request",
    "hookpoint_describe_event",
    "hookpoint_sign_request",
)
"""The hooks a :class:`ProviderPlugin` may implement (:attr:`ProviderPlugin.hooks` says which)."""


class RequestScheme(Protocol):
    """A signature scheme that verifies and signs whole requests (every scheme class below).

    ``settings`` is the endpoint's settings model; timestamped schemes read its ``tolerance``.
    """

    def verify_request(
        self, request: WebhookRequest, settings: BaseModel, secrets: Sequence[str], now: float
    ) -> Verification: ...

    def sign_request(
        self, request: WebhookRequest, settings: BaseModel, secret: str, now: float
    ) -> WebhookRequest: ...


class ProviderPlugin(Generic[S]):
    """A provider plugin: ONE object that pluggy registers as it is.

    Give it the provider's :class:`~hookpoint.ProviderInfo`, its ``scheme`` (a
    :class:`RequestScheme`) and ``events`` (an :class:`EventSpec`), or plain functions for
    whatever the sender does differently; it answers only for ``info.name`` and hands each
    function the endpoint's settings as an instance of ``info.settings_model`` (the model's
    defaults when the host passed something else). The package's entry point names the object::

        PLUGIN = ProviderPlugin(PROVIDER, scheme=SIGNATURE, events=EVENT)

        # pyproject.toml
        [project.entry-points.hookpoint]
        acme = "hookpoint_acme:PLUGIN"

    ``verify``/``sign`` override the scheme's; ``describe`` overrides ``events``;
    ``challenge`` is for senders with a handshake.

    Its ``hookpoint_*`` methods are the hook implementations. A hook the provider does not have
    (no ``challenge``, no ``describe``/``events``, no ``sign``/``scheme``) is set to ``None`` on
    the instance, so pluggy, which registers only routines carrying the hookimpl marker, does not
    register it: ``hookpoint plugins`` then lists no handshake hook for a sender without one, and
    the host skips the call altogether. :attr:`hooks` lists the hooks the object implements.
    """

    def __init__(
        self,
        info: ProviderInfo,
        *,
        scheme: RequestScheme | None = None,
        events: EventSpec | None = None,
        verify: VerifyFn[S] | None = None,
        sign: SignFn[S] | None = None,
        describe: DescribeFn[S] | None = None,
        challenge: ChallengeFn[S] | None = None,
        module: str | None = None,
    ) -> None:
        if verify is None and scheme is None:
            raise TypeError("ProviderPlugin needs a scheme or a verify function")
        self.info = info
        self._verify: VerifyFn[S] = verify or scheme.verify_request  # type: ignore[union-attr]
        self._sign: SignFn[S] | None = sign or (scheme.sign_request if scheme else None)
        if describe is None and events is not None:
            spec = events
            describe = lambda request, settings: spec.describe(request)  # noqa: E731
        self._describe = describe
        self._challenge = challenge
        # What `hookpoint plugins` shows for a plugin registered directly (entry points name
        # their module themselves): the module that built it, as collections.namedtuple does.
        self.__module__ = module or sys._getframe(1).f_globals.get("__name__", "__main__")
        self.__name__ = info.name
        absent = {
            "hookpoint_challenge_response": self._challenge is None,
            "hookpoint_describe_event": self._describe is None,
            "hookpoint_sign_request": self._sign is None,
        }
        for name, missing in absent.items():
            if missing:
                setattr(self, name, None)  # not a routine: pluggy does not register it

    @property
    def hooks(self) -> tuple[str, ...]:
        """The hooks this object implements (the ones pluggy registers), in spec order."""
        return tuple(name for name in HOOK_NAMES if getattr(self, name) is not None)

    def __repr__(self) -> str:
        return f"<ProviderPlugin {self.info.name!r} from {self.__module__}>"

    def settings(self, settings: BaseModel | None) -> S:
        """``settings`` as the provider's model (the model's defaults when it is not one)."""
        model: type[S] = self.info.settings_model  # type: ignore[assignment]
        return settings if isinstance(settings, model) else model()

    @hookimpl
    def hookpoint_register_providers(self) -> list[ProviderInfo]:
        return [self.info]

    @hookimpl
    def hookpoint_challenge_response(
        self, provider: str, request: WebhookRequest, settings: BaseModel, secrets: Sequence[str]
    ) -> ChallengeResponse | None:
        if provider != self.info.name or self._challenge is None:
            return None
        return self._challenge(request, self.settings(settings), secrets)

    @hookimpl
    def hookpoint_verify_request(
        self,
        provider: str,
        request: WebhookRequest,
        settings: BaseModel,
        secrets: Sequence[str],
        now: float,
    ) -> Verification | None:
        if provider != self.info.name:
            return None
        return self._verify(request, self.settings(settings), secrets, now)

    @hookimpl
    def hookpoint_describe_event(
        self, provider: str, request: WebhookRequest, settings: BaseModel
    ) -> EventInfo | None:
        if provider != self.info.name or self._describe is None:
            return None
        return self._describe(request, self.settings(settings))

    @hookimpl
    def hookpoint_sign_request(
        self,
        provider: str,
        request: WebhookRequest,
        settings: BaseModel,
        secret: str,
        now: float,
    ) -> WebhookRequest | None:
        if provider != self.info.name or self._sign is None:
            return None
        return self._sign(request, self.settings(settings), secret, now)


# -- settings -------------------------------------------------------------------------------------


class ProviderSettings(BaseModel):
    """Base of provider settings models: frozen, unknown keys are an error at definition time."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def tolerance_field(default: float, *, what: str = "the signed timestamp") -> Any:
    """The ``tolerance`` setting of a timestamped scheme: seconds ``what`` may differ from now,
    in either direction (a delivery older, or further in the future, is rejected)."""
    return Field(
        default=default,
        gt=0,
        le=7 * 24 * 3600,
        description=f"Seconds {what} may be away from the host's clock, past or future.",
    )


def settings_tolerance(settings: BaseModel, default: float) -> float:
    """The endpoint's ``tolerance`` setting, ``default`` when its model has none."""
    value = getattr(settings, "tolerance", None)
    return float(value) if isinstance(value, int | float) else default


# -- requests -------------------------------------------------------------------------------------


def header(request: WebhookRequest, name: str) -> str | None:
    """The first value of header ``name`` (case-insensitive), ``None`` when absent or empty."""
    value = request.headers.get(name)
    return value if isinstance(value, str) and value else None


def with_headers(request: WebhookRequest, headers: Mapping[str, str]) -> WebhookRequest:
    """A copy of ``request`` with ``headers`` set (replacing same-named ones, any case)."""
    replaced = {name.lower() for name in headers}
    kept = [(k, v) for k, v in request.headers.items() if k.lower() not in replaced]
    return request.with_context(headers=[*kept, *headers.items()])


def query_params(url: str) -> list[tuple[str, str]]:
    """The query of ``url`` as ordered pairs (blank values kept; never raises)."""
    try:
        return parse_qsl(urlsplit(url).query, keep_blank_values=True)
    except ValueError:
        return []


def form_params(body: bytes) -> list[tuple[str, str]]:
    """An ``application/x-www-form-urlencoded`` body as ordered pairs (never raises; a body of
    more than ``MAX_FORM_FIELDS`` fields gives none)."""
    try:
        return parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=False,
            max_num_fields=MAX_FORM_FIELDS,
        )
    except (UnicodeDecodeError, ValueError):
        return []


# -- HMAC schemes ---------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class SignedTemplate:
    """The signed string of a timestamped scheme, and the tolerance check in front of it.

    ``template`` names its parts in braces; ``{body}`` stands for the raw body bytes (never
    decoded), every other part is text::

        >>> SignedTemplate("v0:{timestamp}:{body}").message(b"x=1", timestamp="1531420618")
        b'v0:1531420618:x=1'
    """

    template: str
    scheme: HmacScheme = field(default_factory=HmacScheme)
    unit: Literal["s", "ms"] = "s"

    def message(self, body: bytes, **parts: str) -> bytes:
        before, found, after = self.template.partition("{body}")
        head = before.format(**parts).encode("utf-8")
        if not found:
            return head
        return head + body + after.format(**parts).encode("utf-8")

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
        reason = signing.check_timestamp(timestamp, now, tolerance, unit=self.unit)
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


def unix_seconds(now: float) -> str:
    """``now`` as the whole Unix seconds senders put in their headers."""
    return str(int(now))


@dataclass(frozen=True)
class PairHeaderSignature(TimestampedScheme):
    """Timestamp and signatures in one ``key=value`` list header: ``t=…,v1=…[,v1=…]``.

    Every value under ``signature_key`` is tried (rotation), unknown keys are ignored.
    """

    header: str
    signed: SignedTemplate
    timestamp_key: str = "t"
    signature_key: str = "v1"
    pair_sep: str = ","
    tolerance: float = 300
    """Default tolerance when the endpoint's settings have no ``tolerance``."""

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
        timestamp = unix_seconds(now)
        signature = self.signed.sign(secret, request.body, timestamp=timestamp)
        value = f"{self.timestamp_key}={timestamp}{self.pair_sep}{self.signature_key}={signature}"
        return with_headers(request, {self.header: value})


@dataclass(frozen=True)
class SplitHeaderSignature(TimestampedScheme):
    """Signature and timestamp in two headers (Slack ``X-Slack-Signature`` +
    ``X-Slack-Request-Timestamp``, Zoom ``x-zm-signature`` + ``x-zm-request-timestamp``)."""

    signature_header: str
    timestamp_header: str
    signed: SignedTemplate
    tolerance: float = 300
    """Default tolerance when the endpoint's settings have no ``tolerance``."""

    def verify(
        self, request: WebhookRequest, secrets: Sequence[str | bytes], now: float, tolerance: float
    ) -> Verification:
        signatures = request.headers.getlist(self.signature_header)
        if not signatures:
            return Verification.refused(signing.REASON_MISSING)
        return self.signed.verify(
            request.body,
            secrets,
            signatures=signatures,
            timestamp=header(request, self.timestamp_header),
            now=now,
            tolerance=tolerance,
        )

    def sign(self, request: WebhookRequest, secret: str | bytes, now: float) -> WebhookRequest:
        timestamp = unix_seconds(now)
        return with_headers(
            request,
            {
                self.timestamp_header: timestamp,
                self.signature_header: self.signed.sign(secret, request.body, timestamp=timestamp),
            },
        )


def v0_signature(
    signature_header: str, timestamp_header: str, *, tolerance: float = 300
) -> SplitHeaderSignature:
    """The ``v0`` scheme Slack and Zoom share: ``<signature_header>: v0=<hex HMAC-SHA256 of
    "v0:{timestamp}:{raw body}">`` with the timestamp in ``timestamp_header``."""
    template = SignedTemplate("v0:{timestamp}:{body}", HmacScheme(prefix="v0="))
    return SplitHeaderSignature(signature_header, timestamp_header, template, tolerance)


# -- Ed25519 --------------------------------------------------------------------------------------


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


# -- Standard Webhooks ----------------------------------------------------------------------------


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


# -- handshakes -----------------------------------------------------------------------------------


def echo_challenge(
    value: str,
    *,
    content_type: str = "text/plain; charset=utf-8",
    headers: Mapping[str, str] | None = None,
    status: int = 200,
) -> ChallengeResponse:
    """Answer a handshake by echoing ``value`` as the body (Slack ``challenge``, Dropbox
    ``?challenge=``, Microsoft Graph ``validationToken``, Asana's header with ``headers=``)."""
    return ChallengeResponse(
        status=status,
        body=value.encode("utf-8"),
        content_type=content_type,
        headers=dict(headers or {}),
    )


def signed_handshake(
    scheme: RequestScheme,
    request: WebhookRequest,
    settings: BaseModel,
    secrets: Sequence[str],
    answer: Callable[[str], ChallengeResponse],
) -> ChallengeResponse:
    """Answer a handshake the sender signs like any delivery (Slack ``url_verification``, Zoom
    ``endpoint.url_validation``) only once it verifies.

    The challenge hook gets no ``now``, so the timestamp is checked against the request's
    arrival time. ``answer`` receives the secret that verified the request (the right one
    during a rotation, e.g. for Zoom's ``encryptedToken``). A request that does not verify gets
    the 401 a forged delivery gets (:func:`refuse_handshake` with the verification's reason).
    """
    now = request.received_at.timestamp()
    verdict = scheme.verify_request(request, settings, secrets, now)
    if not verdict:
        return refuse_handshake(verdict.reason or "verification failed")
    secret = next(s for s in secrets if scheme.verify_request(request, settings, (s,), now))
    return answer(secret)


_ERROR_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden"}


def refuse_handshake(reason: str, *, status: int = 401) -> ChallengeResponse:
    """Refuse a handshake the way the host refuses a delivery: ``status`` with
    ``{"error": ..., "message": reason}`` as JSON. The reason is also kept with the rejected
    request, so it must be short and never contain a secret."""
    if status < 400:
        raise ValueError(f"a refusal needs a 4xx or 5xx status, not {status}")
    return ChallengeResponse(
        status=status,
        body=compact_json({"error": _ERROR_CODES.get(status, "rejected"), "message": reason}),
        content_type="application/json",
        reason=reason,
    )


def json_challenge(data: Mapping[str, Any], *, status: int = 200) -> ChallengeResponse:
    """Answer a handshake with a compact JSON object (Zoom, X CRC, Discord PING)."""
    return ChallengeResponse(
        status=status, body=compact_json(data), content_type="application/json"
    )


# -- event description ----------------------------------------------------------------------------


def compact_json(data: Any) -> bytes:
    """``data`` as compact UTF-8 JSON, as most senders put it on the wire."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


HANDSHAKE_MAX_BODY = 64 * 1024
"""Largest body :func:`handshake_json` parses: handshakes are tiny, and a challenge hook runs
before verification, so it must not parse whatever an unauthenticated sender posts."""


def handshake_json(request: WebhookRequest) -> dict[str, Any] | None:
    """The body as a JSON object for a challenge hook: :func:`json_object`, but ``None`` for
    bodies over :data:`HANDSHAKE_MAX_BODY` (they are left to verification, which is cheap)."""
    if len(request.body) > HANDSHAKE_MAX_BODY:
        return None
    return json_object(request)


def json_object(source: WebhookRequest | bytes) -> dict[str, Any] | None:
    """The body as a JSON object, ``None`` when it is anything else (never raises).

    Given a request, its shared parse (``request.json_view()``) is used: one parse per
    request for verification, description and filters; treat the result as read-only.
    """
    try:
        data = source.json_view() if hasattr(source, "json_view") else json.loads(source)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def lookup(data: Any, path: str) -> Any:
    """The value at a dotted ``path`` (``"event.type"``, ``"events.0.action"``), else None."""
    value = data
    for key in path.split("."):
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return None
    return value


def text(value: Any) -> str | None:
    """A non-empty string as is, an integer as its decimal text, anything else None."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def to_datetime(value: Any, *, unit: Literal["s", "ms"] = "s") -> datetime | None:
    """An aware datetime from ISO-8601 text or a Unix timestamp (number or decimal text in
    ``unit``); None for anything else, never raises."""
    if isinstance(value, str) and value and not value.replace(".", "", 1).isdigit():
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    seconds = (
        signing.parse_timestamp(value, unit=unit) if isinstance(value, str | int | float) else None
    )
    if seconds is None or seconds > _MAX_TIME:
        return None
    return datetime.fromtimestamp(seconds, tz=UTC)


def body_digest(body: bytes) -> str:
    """``sha256:<hex>`` of the raw body: the dedupe id of senders that send none (a retry
    repeats the same bytes)."""
    return "sha256:" + hashlib.sha256(body).hexdigest()


_Source = Callable[["WebhookRequest", "dict[str, Any] | None"], Any]


@dataclass(frozen=True)
class EventSpec:
    """Where a sender puts an event's type, id and time, as ``"<where>:<name or path>"``.

    ``where`` is ``header`` (case-insensitive name), ``body`` (dotted path into the JSON
    object), ``query`` or ``form`` (a form-urlencoded body's field). For each of ``type``,
    ``id`` and ``time`` the first source with a value wins; ``fields`` are extra filterable
    facts. Without an id the dedupe id is :func:`body_digest` (``digest_id=False`` leaves it
    None)::

        GITHUB = EventSpec(type=("header:X-GitHub-Event",), id=("header:X-GitHub-Delivery",),
                           fields={"action": "body:action"})
    """

    type: Sequence[str] = ()
    id: Sequence[str] = ()
    time: Sequence[str] = ()
    time_unit: Literal["s", "ms"] = "s"
    fields: Mapping[str, str] = field(default_factory=dict)
    digest_id: bool = True

    def read(self, request: WebhookRequest, source: str, body: dict[str, Any] | None) -> Any:
        where, _, name = source.partition(":")
        if where == "header":
            return header(request, name)
        if where == "body":
            return lookup(body, name) if body is not None else None
        if where in ("query", "form"):
            pairs = query_params(request.url) if where == "query" else form_params(request.body)
            return next((v for k, v in pairs if k == name), None)
        raise ValueError(f"unknown event source {source!r} (header:, body:, query: or form:)")

    def first(
        self, request: WebhookRequest, sources: Sequence[str], body: dict[str, Any] | None
    ) -> Any:
        for source in sources:
            value = self.read(request, source, body)
            if value is not None and value != "":
                return value
        return None

    def describe(
        self, request: WebhookRequest, *, extra: Mapping[str, Any] | None = None, **overrides: Any
    ) -> EventInfo:
        """The :class:`~hookpoint.EventInfo`; ``extra`` adds fields, ``overrides`` replace
        ``type``/``id``/``time`` the provider worked out itself. Never raises on odd bodies."""
        body = json_object(request)
        kind = overrides.get("type", text(self.first(request, self.type, body)))
        event_id = overrides.get("id", text(self.first(request, self.id, body)))
        when = overrides.get(
            "time", to_datetime(self.first(request, self.time, body), unit=self.time_unit)
        )
        if event_id is None and self.digest_id:
            event_id = body_digest(request.body)
        fields = {
            name: self.first(request, (source,), body) for name, source in self.fields.items()
        }
        fields.update(extra or {})
        return EventInfo(type=kind, id=event_id, time=when, fields=fields)


# -- payload models -------------------------------------------------------------------------------


class PayloadModel(BaseModel):
    """Base of the typed event-body models: every field optional, unknown keys kept
    (``model.model_extra``), because senders add fields without notice."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


def payload_parser(
    default: type[M],
    models: Mapping[str, type[BaseModel]] | None = None,
    *,
    key: str | None = None,
    key_of: Callable[[dict[str, Any]], Any] | None = None,
) -> Callable[[Any], BaseModel]:
    """A ``payload_model`` for :class:`~hookpoint.ProviderInfo`: picks the model registered for
    the body's ``key`` (dotted path) or ``key_of(body)``, else ``default``.

    The parser raises ``ValueError`` (pydantic's ``ValidationError`` is one) when the body is
    not a JSON object or a known field has an impossible type.
    """
    table = dict(models or {})

    def parse(data: Any) -> BaseModel:
        if not isinstance(data, dict):
            raise ValueError(f"a webhook body is a JSON object, not {type(data).__name__}")
        if key_of is not None:
            kind = key_of(data)
        else:
            kind = lookup(data, key) if key is not None else None
        model = table.get(kind, default) if isinstance(kind, str) else default
        return model.model_validate(data)

    return parse


# -- batch B ---------------------------------------------------------------------------------------

# Shared by the batch-B providers (GitLab, Typeform, Intercom, Dropbox, Microsoft Graph, X,
# Discord, SendGrid, Mailgun, Asana): shared-token comparison, public keys in the forms senders'
# dashboards show them (Ed25519, ECDSA P-256), and the "public-key signature over
# timestamp + body in two headers" scheme (Discord, SendGrid). ``cryptography`` is imported only
# when a key is used: only the providers that verify public-key signatures depend on it.

import contextlib as _contextlib  # noqa: E402 - this section appends to the module
import functools as _functools  # noqa: E402
import math as _math  # noqa: E402

PublicKeyAlgorithm = Literal["ed25519", "ecdsa-p256-sha256"]
"""``"ed25519"`` (Discord) or ``"ecdsa-p256-sha256"`` (SendGrid: ECDSA P-256 with SHA-256)."""

REASON_NO_PUBLIC_KEY = "no valid public key configured"

_PEM_MARK = "-----BEGIN "
_MAX_KEY_TEXT = 16_384


def optional_tolerance_field(*, what: str = "the signed timestamp") -> Any:
    """A ``tolerance`` setting that is off by default (``None``) for senders whose own libraries
    check no time (Discord, SendGrid); when set, ``what`` may be that many seconds away from the
    host's clock, past or future."""
    return Field(
        default=None,
        gt=0,
        le=7 * 24 * 3600,
        description=f"Seconds {what} may be away from the host's clock, past or future; "
        "None (the default) checks no time.",
    )


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


@_functools.lru_cache(maxsize=256)
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
        with _contextlib.suppress(ValueError, TypeError, UnicodeError):
            candidates.append(serialization.load_pem_public_key(key_text.strip().encode()))
    for raw in () if candidates else _key_bytes(key_text):
        with _contextlib.suppress(ValueError, TypeError):
            if algorithm == "ed25519" and len(raw) == 32:
                candidates.append(ed25519.Ed25519PublicKey.from_public_bytes(raw))
            elif algorithm == "ecdsa-p256-sha256" and len(raw) == 65 and raw[0] == 4:
                candidates.append(ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw))
            else:
                candidates.append(serialization.load_der_public_key(raw))
    return _key_of(candidates, algorithm, private=False)


@_functools.lru_cache(maxsize=64)
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
        with _contextlib.suppress(ValueError, TypeError, UnicodeError):
            candidates.append(
                serialization.load_pem_private_key(key_text.strip().encode(), password=None)
            )
    for raw in () if candidates else _key_bytes(key_text):
        with _contextlib.suppress(ValueError, TypeError):
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
            timestamp, now, _math.inf if tolerance is None else tolerance
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


__all__ += [  # the batch-B names, listed with their section
    "REASON_NO_PUBLIC_KEY",
    "PublicKeyAlgorithm",
    "TimestampedKeySignature",
    "load_private_key",
    "load_public_key",
    "matches_any_secret",
    "optional_tolerance_field",
    "public_key_text",
    "sign_with_private_key",
    "verify_with_public_keys",
]
