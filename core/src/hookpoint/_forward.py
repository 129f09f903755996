"""Forwarding to destinations: what ``hp.forward(endpoint, to, ...)`` delivers, and how.

``hp.forward`` (``_app``) defines a :class:`~hookpoint.Destination`, a built-in job whose run
delivers the stored request to one URL. This module is that job's settings
(:class:`DestinationSettings`, checked by :func:`destination_settings`) and its run
(:func:`deliver`); docs/forwarding.md is the user's side of it.

One delivery attempt:

1. **Pacing** (``rate_limit=``): reserve the destination's next start time in the store
   (``Store.reserve_slot``, shared by every worker and process) and wait for it; the run's lease
   is kept meanwhile by the worker's heartbeats.
2. **Headers**: the sender's, in their order and casing, without hop-by-hop headers
   (``Connection`` and the names it lists, ``Keep-Alive``, ``Proxy-*``, ``TE``, ``Trailer``,
   ``Transfer-Encoding``, ``Upgrade``), ``Host``, ``Content-Length`` and ``Expect``
   (``_http.resendable_headers``, as ``hookpoint listen`` relays them); then
   ``X-Forwarded-For/Proto/Host`` (replacing the sender's) from the stored client address and
   original URL, ``X-Hookpoint-Request-Id`` and ``X-Hookpoint-Endpoint`` (and
   ``X-Hookpoint-Test: true`` for a test delivery); then ``headers=``;
   then, with ``sign="standardwebhooks"``, Hookpoint's own ``webhook-id`` (``msg_<run id>``:
   the same on every retry of the run), ``webhook-timestamp`` and ``webhook-signature``.
3. **Exchange** on the app's one shared HTTP client (``io.http``): the original method and body
   bytes; redirects are not followed, cookies not kept; ``timeout=`` bounds the attempt.
4. **Outcome**: a 2xx is delivered. A status in ``retry_on`` (default 408, 425, 429 and 5xx), a
   timeout or a connection error fails the attempt for a retry (a ``Retry-After`` sets its
   delay, capped by the policy's ``max_delay``: :class:`~hookpoint.RetryAfter`); any other
   status (3xx and 4xx) fails the run at once (:class:`~hookpoint.DoNotRetry`).

Each attempt stores what it got in ``io.attempt_detail`` (status, latency, response headers,
the first 4 KiB of the body; masked) and writes one log line.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Final
from urllib.parse import urlsplit

from ._errors import ConfigError, DoNotRetry, RetryAfter
from ._http import Exchange, ExchangeFailed, exchange, is_hop_by_hop, resendable_headers
from ._request import WebhookRequest
from ._runio import IO, RunContext, store_of
from ._secrets import is_secret_name, mask_headers, mask_known_secrets, mask_url

__all__ = [
    "BODY_LIMIT",
    "DEFAULT_RETRY_ON",
    "DeliveryFailed",
    "DestinationSettings",
    "StatusSet",
    "default_destination_id",
    "deliver",
    "destination_settings",
    "outgoing_headers",
    "parse_retry_after",
    "parse_retry_on",
]

BODY_LIMIT: Final = 4096
"""Bytes of a destination's response body kept with the attempt."""

DEFAULT_RETRY_ON: Final[tuple[int | str, ...]] = (408, 425, 429, "5xx")
"""The statuses retried unless ``retry_on=`` says otherwise."""

SIGNING_SCHEMES: Final = ("standardwebhooks",)

_OURS: Final = (
    "x-forwarded-for",
    "x-forwarded-proto",
    "x-forwarded-host",
    "x-hookpoint-request-id",
    "x-hookpoint-endpoint",
    "x-hookpoint-test",
)
_SIGNATURE_HEADERS: Final = ("webhook-id", "webhook-timestamp", "webhook-signature")
_TOKEN: Final = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_STATUS_CLASS: Final = re.compile(r"^([1-5])xx$", re.IGNORECASE)


class DeliveryFailed(Exception):
    """An attempt that got no 2xx and may be retried (a retryable status, no response)."""


# -- settings ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatusSet:
    """``retry_on``: status codes and whole classes (``"5xx"``) that are retried."""

    codes: frozenset[int]
    classes: frozenset[int]
    """Hundreds digits: 5 for ``"5xx"``."""

    def __contains__(self, status: object) -> bool:
        return isinstance(status, int) and (status in self.codes or status // 100 in self.classes)

    def describe(self) -> list[int | str]:
        """As given: codes, then classes (``[408, 429, "5xx"]``)."""
        return [*sorted(self.codes), *(f"{c}xx" for c in sorted(self.classes))]


def parse_retry_on(value: Any) -> StatusSet:
    """``retry_on=``: None (the default set) or a collection of status codes (100-599, not
    2xx) and class strings ``"1xx"``…``"5xx"`` (not ``"2xx"``); an empty collection retries
    no status at all (timeouts and connection errors still are)."""
    if value is None:
        value = DEFAULT_RETRY_ON
    if isinstance(value, str | bytes | int) or not isinstance(value, Sequence | frozenset | set):
        raise ConfigError(
            f"retry_on must be a list of status codes and classes like [429, '5xx'], got {value!r}"
        )
    codes: set[int] = set()
    classes: set[int] = set()
    for item in value:
        if isinstance(item, int) and not isinstance(item, bool) and 100 <= item <= 599:
            if 200 <= item <= 299:
                raise ConfigError(f"retry_on: {item} is a success, it cannot be retried")
            codes.add(item)
        elif isinstance(item, str) and (m := _STATUS_CLASS.match(item.strip())):
            if m.group(1) == "2":
                raise ConfigError("retry_on: 2xx is a success, it cannot be retried")
            classes.add(int(m.group(1)))
        else:
            raise ConfigError(
                f"retry_on: {item!r} is neither a status code (100-599) nor a class like '5xx'"
            )
    return StatusSet(frozenset(codes), frozenset(classes))


def _env_or_text(what: str, value: Any, env: Mapping[str, str]) -> tuple[str, bool]:
    """A ``str``, or ``{"env": "NAME"}`` read from ``env`` now; ``(value, from the env)``."""
    if isinstance(value, str):
        return value, False
    if isinstance(value, Mapping) and set(value) == {"env"} and isinstance(value["env"], str):
        name = value["env"]
        found = env.get(name)
        if found is None:
            raise ConfigError(f"{what}: environment variable {name} is not set")
        if not found:
            raise ConfigError(f"{what}: environment variable {name} is empty")
        return found, True
    raise ConfigError(f'{what} must be a string or {{"env": "NAME"}}, got {type(value).__name__}')


def _check_url(to: Any) -> str:
    if not isinstance(to, str) or not to:
        raise ConfigError("forward: to= must be a destination URL (http:// or https://)")
    try:
        parts = urlsplit(to)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise ConfigError(f"forward: {mask_url(to)!r} is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"forward: the destination must be an http:// or https:// URL with a host, "
            f"got {mask_url(to)!r}"
        )
    if any(c in to for c in "\r\n\t ") or parts.fragment:
        raise ConfigError(
            f"forward: {mask_url(to)!r} has whitespace or a #fragment; pass the URL as sent"
        )
    return to


def _url_secrets(url: str) -> list[str]:
    """The credentials a destination URL carries (userinfo, secret-looking query values)."""
    parts = urlsplit(url)
    found = [s for s in (parts.username, parts.password) if s]
    for pair in parts.query.replace(";", "&").split("&"):
        name, _, value = pair.partition("=")
        if value and is_secret_name(name):
            found.append(value)
    return found


def default_destination_id(endpoint_id: str, url: str) -> str:
    """``<endpoint id>.forward-<10 hex>``: the hex is a SHA-256 of the endpoint id and the URL
    with its credentials masked (:func:`~hookpoint._secrets.mask_url`), so the id is the same
    on every start and in every definition order, and a rotated credential keeps it."""
    digest = hashlib.sha256(f"{endpoint_id}\n{mask_url(url)}".encode()).hexdigest()[:10]
    return f"{endpoint_id[:100]}.forward-{digest}"


@dataclass(frozen=True, slots=True)
class DestinationSettings:
    """Everything a delivery needs, checked once when the destination is defined."""

    target: str
    """The URL requests go to (credentials included: never shown; see :attr:`url`)."""
    url: str
    """The URL as shown everywhere (credentials masked)."""
    headers: tuple[tuple[str, str], ...]
    """``headers=``: added after the sender's, replacing same-named ones."""
    header_names: tuple[str, ...]
    sign: str | None
    secret: str | None
    timeout: float
    retry_on: StatusSet
    concurrency: int | None
    rate_limit: float | None
    secrets: tuple[str, ...]
    """What is masked in whatever the attempt records: the signing secret, values read from
    the environment, secret-looking header values and the URL's credentials."""


def _positive(name: str, value: Any, *, integer: bool) -> Any:
    if value is None:
        return None
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise ConfigError(f"forward: {name} must be a {'whole ' if integer else ''}number > 0")
    if (integer and value < 1) or (not integer and not 0 < float(value) < float("inf")):
        raise ConfigError(f"forward: {name} must be > 0, got {value!r}")
    return value if integer else float(value)


def destination_settings(
    to: Any,
    *,
    headers: Mapping[str, Any] | None,
    sign: str | None,
    secret: Any,
    timeout: Any,
    retry_on: Any,
    concurrency: Any,
    rate_limit: Any,
    env: Mapping[str, str] | None = None,
) -> DestinationSettings:
    """Check ``hp.forward``'s destination arguments (ConfigError naming what is wrong);
    ``{"env": NAME}`` values are read from ``env`` (default ``os.environ``) now."""
    environ = os.environ if env is None else env
    target = _check_url(to)
    secrets = _url_secrets(target)
    extra: list[tuple[str, str]] = []
    if headers is not None and not isinstance(headers, Mapping):
        raise ConfigError('forward: headers must be a mapping {"Name": "value" or {"env": ...}}')
    for name, raw in (headers or {}).items():
        if not isinstance(name, str) or not _TOKEN.match(name):
            raise ConfigError(f"forward: {name!r} is not a valid header name")
        lower = name.lower()
        if is_hop_by_hop(lower) or lower == "content-length":
            raise ConfigError(f"forward: header {name} is set by the connection, not by headers=")
        if sign is not None and lower in _SIGNATURE_HEADERS:
            raise ConfigError(f"forward: header {name} is set by sign={sign!r}")
        value, from_env = _env_or_text(f"forward: header {name}", raw, environ)
        if any(c in value for c in "\r\n\0"):
            raise ConfigError(f"forward: header {name} has a line break or NUL in its value")
        if from_env or is_secret_name(name):
            secrets.append(value)
        extra.append((name, value))
    if sign is not None and sign not in SIGNING_SCHEMES:
        raise ConfigError(
            f"forward: sign={sign!r} is not a signing scheme; use one of: "
            + ", ".join(SIGNING_SCHEMES)
        )
    key: str | None = None
    if secret is not None:
        if sign is None:
            raise ConfigError("forward: secret= is only used with sign=")
        key, _ = _env_or_text("forward: secret", secret, environ)
        _signature_headers(key, "msg_check", b"", 0.0)  # a malformed secret fails now
        secrets.append(key)
    elif sign is not None:
        raise ConfigError(f"forward: sign={sign!r} needs secret= (a whsec_… secret)")
    seconds = _positive("timeout", timeout, integer=False)
    if seconds is None:
        raise ConfigError("forward: timeout must be a number of seconds > 0")
    return DestinationSettings(
        target=target,
        url=mask_url(target),
        headers=tuple(extra),
        header_names=tuple(name for name, _ in extra),
        sign=sign,
        secret=key,
        timeout=seconds,
        retry_on=parse_retry_on(retry_on),
        concurrency=_positive("concurrency", concurrency, integer=True),
        rate_limit=_positive("rate_limit", rate_limit, integer=False),
        secrets=tuple(s for s in secrets if s),
    )


# -- one delivery --------------------------------------------------------------------------------


def _signature_headers(secret: str, msg_id: str, body: bytes, now: float) -> list[tuple[str, str]]:
    """Standard Webhooks headers for ``body``, signed by providerkit's own scheme."""
    from .providerkit import StandardWebhooksScheme

    scheme = StandardWebhooksScheme()
    try:
        signed = scheme.sign(
            WebhookRequest(url="http://sign.invalid/", body=body), secret, now, msg_id
        )
    except ValueError as exc:
        raise ConfigError(f"forward: the signing secret is not usable: {exc}") from None
    return [(name, signed.headers[name]) for name in _SIGNATURE_HEADERS]


def outgoing_headers(
    request: WebhookRequest,
    settings: DestinationSettings,
    *,
    request_id: str,
    endpoint_id: str,
    signature: Sequence[tuple[str, str]] = (),
    test: bool = False,
) -> list[tuple[str, str]]:
    """The headers of a delivery (see the module docstring, step 2)."""
    replaced = {name.lower() for name, _ in settings.headers}
    replaced.update(name for name, _ in signature)
    replaced.update(_OURS)
    out = [
        (name, value)
        for name, value in resendable_headers(list(request.headers.items()))
        if name.lower() not in replaced
    ]
    parts = urlsplit(request.url)
    if request.client:
        out.append(("X-Forwarded-For", request.client))
    if parts.scheme:
        out.append(("X-Forwarded-Proto", parts.scheme))
    if parts.netloc:
        out.append(("X-Forwarded-Host", parts.netloc.rpartition("@")[2]))
    out.append(("X-Hookpoint-Request-Id", request_id))
    out.append(("X-Hookpoint-Endpoint", endpoint_id))
    if test:  # a test delivery (the dashboard's Test, `hookpoint test`): not from the sender
        out.append(("X-Hookpoint-Test", "true"))
    out.extend(settings.headers)
    out.extend(signature)
    return out


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds a ``Retry-After`` asks for: delta seconds or an HTTP date (RFC 9110 §10.2.3);
    None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)


def _body_text(body: bytes, secrets: Sequence[str]) -> str:
    return mask_known_secrets(body.decode("utf-8", "replace"), secrets)


def _detail(
    settings: DestinationSettings,
    method: str,
    got: Exchange | None,
    secrets: Sequence[str],
    *,
    waited: float,
    error: str | None = None,
    retry_after: float | None = None,
) -> dict[str, Any]:
    detail: dict[str, Any] = {"destination": settings.url, "method": method}
    if waited > 0.0005:
        detail["waited_ms"] = round(waited * 1000, 1)
    if got is not None:
        detail["status"] = got.status
        detail["latency_ms"] = round(got.latency * 1000, 1)
        detail["response_headers"] = [
            [name, mask_known_secrets(value, secrets)] for name, value in mask_headers(got.headers)
        ]
        detail["response_body"] = _body_text(got.body, secrets)
        detail["response_body_truncated"] = got.truncated
    if retry_after is not None:
        detail["retry_after"] = retry_after
    if error is not None:
        detail["error"] = error
    return detail


async def _wait_for_slot(settings: DestinationSettings, io: IO, key: str) -> float:
    """Pacing (step 1): the seconds waited for this delivery's slot."""
    if settings.rate_limit is None:
        return 0.0
    slot = await store_of(io).reserve_slot(f"forward:{key}", 1.0 / settings.rate_limit)
    delay = slot - time.time()
    if delay > 0:
        await asyncio.sleep(delay)
        return delay
    return 0.0


async def deliver(
    settings: DestinationSettings,
    endpoint_secrets: Sequence[str],
    request: WebhookRequest,
    io: IO,
    ctx: RunContext,
) -> dict[str, Any]:
    """The run of a destination: deliver ``request`` once (see the module docstring).

    Returns the run's output ``{"status", "latency_ms"}`` on a 2xx; raises
    :class:`DeliveryFailed` or :class:`~hookpoint.RetryAfter` for a retry and
    :class:`~hookpoint.DoNotRetry` for a status that is not retried."""
    waited = await _wait_for_slot(settings, io, ctx.job_id)
    signature: list[tuple[str, str]] = []
    if settings.sign is not None and settings.secret is not None:
        signature = _signature_headers(
            settings.secret, f"msg_{ctx.run_id}", request.body, time.time()
        )
    headers = outgoing_headers(
        request,
        settings,
        request_id=ctx.request_id,
        endpoint_id=ctx.endpoint_id,
        signature=signature,
        test=ctx.test,
    )
    secrets = (*settings.secrets, *endpoint_secrets)
    wire = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    where = f"{request.method} {settings.url}"
    try:
        got = await exchange(
            io.http,
            request.method,
            settings.target,
            wire,
            request.body,
            timeout=settings.timeout,
            body_limit=BODY_LIMIT,
        )
    except ExchangeFailed as exc:
        error = mask_known_secrets(str(exc), secrets)
        io.attempt_detail = _detail(
            settings, request.method, None, secrets, waited=waited, error=error
        )
        await io.logger.warn(f"{where}: {error}", io.attempt_detail)
        raise DeliveryFailed(f"{exc.kind}: {error}") from None
    outcome = f"{where} → {got.status} in {got.latency * 1000:.0f} ms"
    if 200 <= got.status <= 299:
        io.attempt_detail = _detail(settings, request.method, got, secrets, waited=waited)
        await io.logger.info(outcome, io.attempt_detail)
        return {"status": got.status, "latency_ms": io.attempt_detail["latency_ms"]}
    if got.status in settings.retry_on:
        after = parse_retry_after(_header(got.headers, "retry-after"), time.time())
        io.attempt_detail = _detail(
            settings, request.method, got, secrets, waited=waited, retry_after=after
        )
        await io.logger.warn(outcome, io.attempt_detail)
        message = f"HTTP {got.status} from {settings.url}"
        if after is not None:
            raise RetryAfter(after, f"{message} (Retry-After: {after:g}s)")
        raise DeliveryFailed(message)
    io.attempt_detail = _detail(settings, request.method, got, secrets, waited=waited)
    await io.logger.error(outcome + " (not retried)", io.attempt_detail)
    redirect = " (redirects are not followed)" if 300 <= got.status <= 399 else ""
    raise DoNotRetry(f"HTTP {got.status} from {settings.url}{redirect}")


def _header(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)
