"""``verify_request_signature``: the one-call check for "HMAC of the raw body in a header"."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from . import signing
from ._models import Verification
from ._request import Headers

__all__ = ["verify_request_signature"]

_MAX_VALUES = 32


def _text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("latin-1")
    return None


def _header_values(headers: Any, name: str) -> list[str]:
    """Every value of header ``name`` (case-insensitive) from any common headers object."""
    if isinstance(headers, Headers):
        return headers.getlist(name)
    raw: Iterable[Any]
    getlist = getattr(headers, "getlist", None)  # Starlette, Werkzeug, our Headers
    get_all = getattr(headers, "get_all", None)  # email.message / http.client
    if callable(getlist):
        raw = getlist(name) or ()
    elif callable(get_all) and not isinstance(headers, Mapping):
        raw = get_all(name) or ()
    else:
        pairs: Iterable[Any] = headers.items() if isinstance(headers, Mapping) else headers
        wanted = name.lower()
        raw = []
        for pair in pairs:
            key, value = pair
            key_text = _text(key)
            if key_text is not None and key_text.lower() == wanted:
                raw.append(value)
    values: list[str] = []
    for value in raw:
        text = _text(value)
        if text is not None:
            values.append(text)
    return values


def _pieces(values: list[str]) -> list[str]:
    """Signature pieces: a value may carry several, comma- or space-separated (joined headers)."""
    if len(values) == 1 and "," not in values[0] and len(values[0].split(None, 1)) == 1:
        return values  # the usual single value
    pieces: list[str] = []
    for value in values[:_MAX_VALUES]:
        if "," in value:
            value = value.replace(",", " ")
        pieces.extend(value.split(None, _MAX_VALUES)[:_MAX_VALUES])
        if len(pieces) >= _MAX_VALUES:
            break
    return pieces[:_MAX_VALUES]


def verify_request_signature(
    request: Any,
    *,
    header_name: str,
    secret: signing.SecretsInput,
    algorithm: str = "sha256",
    encoding: signing.SignatureEncoding = "auto",
    prefix: str | None = None,
) -> Verification:
    """Check an HMAC of the request's **raw body** sent in ``header_name``.

    Covers the common scheme (GitHub, Meta/WhatsApp, Cal.com, Shopify, Linear, Dropbox, …)::

        verify=lambda request: verify_request_signature(
            request, header_name="x-hub-signature-256", secret=os.environ["APP_SECRET"])

    :param request: a :class:`~hookpoint.WebhookRequest`, or any object with ``.headers`` (a
        mapping, a ``getlist``-style multi-dict or ``(name, value)`` pairs) and ``.body`` bytes.
    :param header_name: the signature header, matched case-insensitively. Several values (a
        repeated header, or values joined with ``,``) are each tried.
    :param secret: a secret (``str`` as UTF-8, or ``bytes``) or a list of them: during rotation
        any one passing is enough. An empty list, empty strings or ``None`` never verify.
    :param algorithm: ``"sha1"``, ``"sha256"`` (default) or ``"sha512"``.
    :param encoding: ``"hex"`` (any case), ``"base64"`` (standard or URL-safe, padding
        optional) or ``"auto"`` (both; the digest length decides).
    :param prefix: a prefix the value must carry, e.g. ``"sha256="``. ``None`` strips the
        usual ones (``sha1=``, ``sha256=``, ``sha512=``, ``v1=``, ``v0=``) when present.
    :returns: a :class:`~hookpoint.Verification`, truthy on success. Failure reasons:
        ``"no secret configured"``, ``"missing signature header"``, ``"malformed signature"``,
        ``"signature mismatch"``. Hostile request input never raises; a developer error (an
        ``int`` secret, an unknown algorithm or encoding) raises ``TypeError``/``ValueError``.

    The HMAC is computed once per secret and compared with :func:`hmac.compare_digest` against
    every decoded candidate.
    """
    if not isinstance(header_name, str) or not header_name:
        raise TypeError("header_name must be a non-empty str")
    signing.digest_size(algorithm)
    body = signing.request_body(request)
    headers = getattr(request, "headers", None)
    if headers is None:
        raise TypeError(f"{type(request).__name__} has no .headers")
    try:
        values = _header_values(headers, header_name)
    except (TypeError, ValueError, AttributeError):  # a pairs iterable with odd items
        values = []
    return signing.verify_hmac(
        body,
        _pieces(values),
        secret,
        algorithm=algorithm,
        encoding=encoding,
        prefix=prefix,
    )
