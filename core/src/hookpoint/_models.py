"""Typed records that cross the plugin boundary (pydantic models).

Hook implementations return these; the host validates every result before it uses it, so a plugin
that returns the wrong shape fails loudly with its name attached rather than misbehaving later.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    ValidationInfo,
    field_validator,
    model_validator,
)

__all__ = [
    "Alert",
    "AlertCondition",
    "ChallengeResponse",
    "EmptySettings",
    "EventInfo",
    "FilterOperator",
    "Notification",
    "ProviderInfo",
    "Sample",
    "Verification",
]

_NAME_PATTERN = r"^[a-z][a-z0-9_-]{0,62}$"


def _refusal_status(value: Any) -> Any:
    """A refusal's HTTP status: an int from 400 to 499 (None passes: "not said")."""
    if value is None or (type(value) is int and 400 <= value <= 499):
        return value
    raise ValueError(f"a refused verification's status is a 4xx status (400-499), not {value!r}")


class EmptySettings(BaseModel):
    """Settings model of a provider that takes no settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Sample(BaseModel):
    """One example delivery a provider ships, for tests, docs and ``hookpoint send``.

    A normal sample is a delivery the sender would sign: the conformance kit signs it through the
    provider's ``hookpoint_sign_request`` hook with ``secret`` and expects it to verify (and to fail
    with another secret or with one byte changed). A ``challenge`` sample is a handshake: the kit
    sends it with ``settings`` and expects ``expect_status`` (and ``expect_body`` when given).
    """

    model_config = ConfigDict(frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    description: str = ""
    method: str = "POST"
    path_query: str = ""
    """Query string (without ``?``) the sample is sent with, e.g. ``hub.mode=subscribe&...``."""
    headers: dict[str, str] = Field(default_factory=dict)
    body: bytes = b""
    secret: str = "test-secret"  # noqa: S105 - a sample signing secret, not a credential
    """The secret the kit signs this sample with (for asymmetric schemes: the private key)."""
    verify_secret: str | None = None
    """The secret the endpoint verifies with, when it differs from ``secret`` (asymmetric
    schemes such as Ed25519 or ECDSA: the public key). None means ``secret``."""
    settings: dict[str, Any] = Field(default_factory=dict)
    """Provider settings the endpoint uses for this sample (e.g. a WhatsApp ``verify_token``)."""
    challenge: bool = False
    expect_status: int = 200
    expect_body: bytes | None = None
    event_type: str | None = None
    """The event type the provider must describe this sample as (checked by the kit)."""

    @property
    def endpoint_secret(self) -> str:
        """The secret an endpoint is configured with to verify this sample."""
        return self.verify_secret if self.verify_secret is not None else self.secret


class ProviderInfo(BaseModel):
    """What a plugin declares about one provider it serves (``hookpoint_register_providers``)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    name: str = Field(pattern=_NAME_PATTERN)
    """The name endpoints use: ``define_http_endpoint(provider="whatsapp")``."""
    title: str
    icon: str | None = None
    """An icon name endpoints may use besides the provider's own name (``icon="microsoft"``)."""
    icon_svg: str | None = None
    """The provider's icon: the text of a small SVG shipped inside the provider's package,
    read with ``hookpoint.read_icon(__name__)``. The dashboard sanitises it (an allowlist of
    elements and attributes, at most 32 KiB, no DOCTYPE) before serving it as an image."""
    docs_url: str | None = None
    settings_model: type[BaseModel] = EmptySettings
    """Pydantic model validating the endpoint's ``settings=``; unknown keys should be forbidden."""
    samples: tuple[Sample, ...] = ()
    verification: str = ""
    """One line saying how deliveries are verified, e.g. ``HMAC-SHA256 hex of the body``."""
    handshake: str | None = None
    """One line describing the sender's handshake, or None when it has none."""
    event_types: tuple[str, ...] = ()
    """Event types the sender is known to send (unknown future ones are still accepted)."""
    requires_secret: bool = True
    """False for providers that can verify without a configured secret (rare)."""
    tested_with: tuple[str, ...] = ()
    """The sender's official SDKs (PyPI names) the package's tests check it against, signing
    and verifying both ways where the SDK can; empty: tested against the sender's documented
    algorithm and published examples. Shown in the providers catalogue."""
    payload_model: Callable[[Any], Any] | None = None
    """Parses the request's JSON body into a typed model; used by ``request.event_model()``."""
    refusal_status: int = 401
    """The HTTP status a request that fails this provider's verification is answered with
    (400-499): 401 unless the sender documents another (GoCardless: 498 Token Invalid). It
    applies to the refusals the provider's verify hook returns without a status of their own."""

    @field_validator("settings_model")
    @classmethod
    def _is_model(cls, value: type[BaseModel]) -> type[BaseModel]:
        if not (isinstance(value, type) and issubclass(value, BaseModel)):
            raise ValueError("settings_model must be a pydantic BaseModel subclass")
        return value

    @field_validator("refusal_status", mode="before")
    @classmethod
    def _is_4xx(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("refusal_status is a 4xx status (400-499), not None")
        return _refusal_status(value)


class Verification(BaseModel):
    """The outcome of verifying a request: ``success`` and ``reason``, the shape of Trigger.dev's
    ``verifyRequestSignature`` result, so ``if not (await verify()).success`` works as ported.

    Truthy exactly when ``success``. ``reason`` is a short, sender-safe explanation of a failure
    (``"missing header"``, ``"signature mismatch"``, ``"timestamp outside tolerance"``); it never
    contains a secret. ``status`` is the HTTP status a refusal is answered with (a 4xx; None:
    the provider's :attr:`ProviderInfo.refusal_status`, else 401). Build one with
    :meth:`verified` or :meth:`refused` (or ``Verification(success=..., reason=...)``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    success: bool
    reason: str = ""
    unsigned: bool = False
    """True when the request carried no signature and the endpoint allows unsigned deliveries."""
    status: int | None = None
    """The HTTP status of a refusal, 400-499 (``498`` for GoCardless); None: the provider's
    :attr:`ProviderInfo.refusal_status` (401 unless it says otherwise). Only a refusal has one."""

    @field_validator("status", mode="before")
    @classmethod
    def _refusal_only(cls, value: Any, info: ValidationInfo) -> Any:
        # Runs only when a status is given (never for the shared verified() results).
        if value is not None and info.data.get("success") is not False:
            raise ValueError("only a refused verification has a status")
        return _refusal_status(value)

    @model_validator(mode="before")
    @classmethod
    def _no_ok_keyword(cls, data: Any) -> Any:
        # ``ok`` was the field's name before it took Trigger.dev's ``success``; say so plainly
        # rather than leave a bare "extra inputs are not permitted".
        if isinstance(data, Mapping) and "ok" in data:
            raise ValueError(
                "Verification(ok=...) is now Verification(success=...); "
                "or use Verification.verified() / Verification.refused(reason)"
            )
        return data

    def __bool__(self) -> bool:
        return self.success

    @property
    def ok(self) -> bool:
        """Read-only alias of :attr:`success`."""
        return self.success

    @classmethod
    def verified(cls, *, unsigned: bool = False) -> Verification:
        """A request that passed verification (``unsigned``: accepted without a signature).

        Every request that verifies gets one, so the two possible values are built once per
        class and shared: the model is frozen, so sharing cannot be observed (~1.5 us a
        request less than validating a new one)."""
        key = (cls, unsigned)
        shared = _VERIFIED.get(key)
        if shared is None:
            shared = _VERIFIED[key] = cls(success=True, unsigned=unsigned)
        return shared

    @classmethod
    def refused(cls, reason: str, *, status: int | None = None) -> Verification:
        """A request that failed verification, with a short, secret-free ``reason``.

        ``status`` is the HTTP status the host answers it with (400-499, validated, e.g.
        ``Verification.refused("signature mismatch", status=498)``); without one, the
        provider's :attr:`ProviderInfo.refusal_status` applies, else 401."""
        if status is None:
            return cls(success=False, reason=reason)
        return cls(success=False, reason=reason, status=status)


_VERIFIED: dict[tuple[type[Verification], bool], Verification] = {}
"""The shared results of :meth:`Verification.verified`."""


class ChallengeResponse(BaseModel):
    """A handshake answer the host sends at once, without verification or runs."""

    model_config = ConfigDict(frozen=True)

    status: int = Field(default=200, ge=100, le=599)
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = Field(default_factory=dict)
    skip_triggering_runs: bool = True
    """Handshakes never start runs unless a plugin explicitly says otherwise."""
    reason: str | None = None
    """For a refusal (status >= 400): a short reason, kept with the rejected request in the
    store (``GET /api/requests?status=rejected``); it is not sent unless ``body`` says it."""


class EventInfo(BaseModel):
    """What a provider says about a delivery: filterable under ``event`` and used for dedupe.

    ``id`` is the dedupe key: a repeat of the same id on the same endpoint inside the endpoint's
    dedupe window is stored as a duplicate and starts no runs (unless the endpoint's
    ``dedupe=`` names another key).
    """

    model_config = ConfigDict(frozen=True)

    type: str | None = None
    id: str | None = None
    time: datetime | None = None
    fields: dict[str, Any] = Field(default_factory=dict)
    """Extra filterable facts (e.g. ``{"message_types": ["text"], "webhook_version": "..."}``)."""

    def filter_view(self) -> dict[str, Any]:
        """The object a filter's ``event`` key is matched against."""
        view: dict[str, Any] = dict(self.fields)
        if self.type is not None:
            view["type"] = self.type
        if self.id is not None:
            view["id"] = self.id
        if self.time is not None:
            view["time"] = self.time.isoformat()
        return view


class FilterOperator(BaseModel):
    """An EventFilter content operator (``{"$name": operand}``), built in or added by a plugin.

    ``validate_operand(operand)`` raises ``ValueError``/``TypeError`` with a short message when the
    operand is unusable; it runs when a filter is defined. ``match(value, present, operand)`` gets
    the payload value (``present`` is False when the key is missing) and must return a bool without
    raising for any JSON-like value.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    name: str = Field(pattern=r"^\$[A-Za-z][A-Za-z0-9]*$")
    description: str
    validate_operand: Callable[[Any], None]
    match: Callable[[Any, bool, Any], bool]
    kind: Literal["builtin", "plugin"] = "plugin"


AlertCondition = Literal["dead_runs", "rejected_requests", "queue_age", "store_unavailable"]
"""What an :class:`Alert` is about (docs/alerts.md): runs of a job that failed after their last
attempt, an endpoint rejecting requests, the queue falling behind, the store unreachable."""


class Alert(BaseModel):
    """Something went wrong in a host, or stopped going wrong: what ``hookpoint_notify`` gets.

    ``firing`` goes out at most once per ``HOOKPOINT_ALERT_WINDOW`` for one ``condition`` and
    ``key`` (the job, the endpoint, ``queue`` or ``store``), across every host of the store;
    ``resolved`` once when it stops. ``details`` are JSON data whose keys depend on the
    condition (docs/alerts.md lists them).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    """Unique per notification (the Standard Webhooks ``webhook-id`` of the built-in webhook)."""
    app: str
    """The app's id (``Hookpoint(id=...)``)."""
    condition: AlertCondition
    key: str
    state: Literal["firing", "resolved"]
    message: str
    """One line for people, e.g. ``3 runs of job 'charge' failed after their last attempt in
    the last 15m``."""
    details: dict[str, JsonValue] = Field(default_factory=dict)
    at: datetime
    """When the host saw it (UTC)."""


class Notification(BaseModel):
    """An HTTP request a ``hookpoint_notify`` implementation asks the host to send.

    The host sends it with the app's shared HTTP client, in the background, with a short
    timeout (``HOOKPOINT_ALERT_TIMEOUT``), no redirects and no retry; a failure is logged (the
    URL's path and secret-looking query values masked) and counted, and never reaches ingest or
    runs. :meth:`of_json` builds one with a JSON body.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str
    """``http://`` or ``https://`` URL."""
    method: Literal["POST", "PUT"] = "POST"
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    notifier: str = ""
    """A short name for logs and the ``hookpoint_alert_notifications`` metric (default: the
    plugin's name)."""

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("a notification URL is http:// or https:// with a host")
        return value

    @field_validator("headers", mode="before")
    @classmethod
    def _header_items(cls, value: Any) -> Any:
        return tuple(value.items()) if isinstance(value, Mapping) else value

    @classmethod
    def of_json(
        cls,
        url: str,
        data: Any,
        *,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] = (),
        notifier: str = "",
    ) -> Notification:
        """A ``POST`` of ``data`` as compact UTF-8 JSON (``Content-Type: application/json``)."""
        items = tuple(headers.items() if isinstance(headers, Mapping) else headers)
        if not any(name.lower() == "content-type" for name, _ in items):
            items = (("Content-Type", "application/json"), *items)
        body = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
        return cls(url=url, headers=items, body=body, notifier=notifier)
