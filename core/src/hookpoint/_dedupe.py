"""Which key an endpoint dedupes deliveries on: ``define_http_endpoint(dedupe=...)``.

* endpoints with a provider: the provider's event id (``hookpoint_describe_event`` → ``id``);
* endpoints without one (a ``verify`` callable or ``verify="none"``): the ``Idempotency-Key``
  header, else ``X-Request-Id``, as Trigger.dev v2 does for its HTTP endpoints (its
  ``HandleHttpEndpointService`` makes the event id ``<endpoint id>.<Idempotency-Key or
  X-Request-Id>``, so a repeat on the same endpoint is not delivered again);
* ``dedupe=`` replaces either: a header name, a list of header names (the first one present
  and non-empty wins), a callable ``(request) -> str | None``, or ``False`` for no dedupe.

The key is read only once the request has verified, and the store scopes it to the endpoint.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ._errors import ConfigError
from ._request import WebhookRequest

__all__ = ["DEFAULT_HEADERS", "MAX_KEY_LENGTH", "DedupeRule", "DedupeSpec", "bound_key"]

log = logging.getLogger("hookpoint.ingest")

DEFAULT_HEADERS = ("Idempotency-Key", "X-Request-Id")
"""Where an endpoint without a provider finds its key by default (the seed's two headers)."""

MAX_KEY_LENGTH = 256
"""Longer keys are kept as ``sha256:<hex digest>`` (distinct keys stay distinct)."""

_HASHED = "sha256:"

DedupeSpec = str | Sequence[str] | Callable[[WebhookRequest], Any] | Literal[False] | None

_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # a header name (RFC 9110 §5.1)


@dataclass(frozen=True, slots=True)
class DedupeRule:
    """An endpoint's dedupe rule, validated when the endpoint is defined."""

    by: Literal["event_id", "headers", "callable", "off"]
    headers: tuple[str, ...] = ()
    fn: Callable[[WebhookRequest], Any] | None = None

    @property
    def reads_own_key(self) -> bool:
        """True when the key comes from ``dedupe=`` or the default headers, not a provider."""
        return self.by in ("headers", "callable")

    def describe(self) -> str:
        """For listings: ``event id``, ``headers: A, B``, ``callable: name`` or ``off``."""
        if self.by == "headers":
            return "headers: " + ", ".join(self.headers)
        if self.by == "callable":
            return "callable: " + str(getattr(self.fn, "__qualname__", None) or repr(self.fn))
        return "event id" if self.by == "event_id" else "off"

    def raw_key(self, request: WebhookRequest, endpoint_id: str) -> str | None:
        """The key this rule reads from a verified request, as given (None: no key). A
        callable that raises or returns something other than a string is logged and gives
        no key: the delivery is still accepted, only not deduplicated."""
        if self.by == "headers":
            for name in self.headers:
                value = request.headers.get(name)
                if value is not None and value.strip():
                    return value.strip()
            return None
        if self.by != "callable" or self.fn is None:
            return None
        try:
            value = self.fn(request)
        except Exception:
            log.exception(
                "dedupe callable of endpoint %s raised; the request is accepted without a "
                "dedupe key",
                endpoint_id,
            )
            return None
        if inspect.isawaitable(value):
            close = getattr(value, "close", None)
            if callable(close):
                close()  # no "coroutine was never awaited" warning on top of the error
            log.error(
                "dedupe callable of endpoint %s returned an awaitable; it must be synchronous "
                "(the request is accepted without a dedupe key)",
                endpoint_id,
            )
            return None
        if value is None:
            return None
        if not isinstance(value, str):
            log.error(
                "dedupe callable of endpoint %s returned %s, not a str or None; the request "
                "is accepted without a dedupe key",
                endpoint_id,
                type(value).__name__,
            )
            return None
        return value or None


def dedupe_rule(endpoint_id: str, spec: object, *, has_provider: bool) -> DedupeRule:
    """Validate ``define_http_endpoint(dedupe=spec)``. :raises ConfigError: on a bad spec."""
    what = (
        f"endpoint {endpoint_id!r}: dedupe must be a header name, a list of header names, a "
        "callable (request) -> str | None, or False (leave it out for the default)"
    )
    if spec is None:
        return DedupeRule("event_id") if has_provider else DedupeRule("headers", DEFAULT_HEADERS)
    if spec is False:
        return DedupeRule("off")
    if spec is True:
        raise ConfigError(what)
    if isinstance(spec, str):
        return DedupeRule("headers", (_header_name(endpoint_id, spec),))
    if isinstance(spec, list | tuple):
        if not spec:
            raise ConfigError(f"endpoint {endpoint_id!r}: dedupe= got an empty list of headers")
        return DedupeRule("headers", tuple(_header_name(endpoint_id, h) for h in spec))
    if callable(spec):
        if inspect.iscoroutinefunction(spec) or inspect.iscoroutinefunction(
            getattr(spec, "__call__", None)  # noqa: B004 - an object with an async __call__
        ):
            raise ConfigError(
                f"endpoint {endpoint_id!r}: the dedupe callable must be synchronous (it runs on "
                "the ingest path before the answer); read the key from request.headers or "
                "request.json() without awaiting"
            )
        try:
            signature = inspect.signature(spec)
        except (TypeError, ValueError):  # builtins, C callables: trust the caller
            signature = None
        if signature is not None:
            try:
                signature.bind(object())
            except TypeError:
                raise ConfigError(
                    f"endpoint {endpoint_id!r}: the dedupe callable must accept (request); "
                    f"got {signature}"
                ) from None
        return DedupeRule("callable", fn=spec)
    raise ConfigError(what)


def _header_name(endpoint_id: str, name: object) -> str:
    if not isinstance(name, str) or not _TOKEN.match(name):
        raise ConfigError(
            f"endpoint {endpoint_id!r}: dedupe header {name!r} is not a header name "
            "(a non-empty token such as 'Idempotency-Key')"
        )
    return name


def bound_key(key: str) -> str:
    """A key of at most :data:`MAX_KEY_LENGTH` characters: a longer one becomes
    ``sha256:<hex>`` of its UTF-8 (``key`` must already be encodable, see
    ``_escape_for_store``), so a sender cannot make the store index arbitrarily long keys. A
    key that already starts with ``sha256:`` is hashed too, so that a short key can never equal
    the digest of a long one."""
    if len(key) <= MAX_KEY_LENGTH and not key.startswith(_HASHED):
        return key
    return _HASHED + hashlib.sha256(key.encode("utf-8")).hexdigest()
