"""Masking of secrets in headers, URLs and settings before anything is logged, stored as
metadata, or shown in the API and dashboard."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "MASK",
    "bounded_headers",
    "bounded_url",
    "is_secret_name",
    "mask_headers",
    "mask_known_secrets",
    "mask_secret",
    "mask_url",
    "mask_url_path",
    "mask_urls_in",
    "metadata_headers",
    "metadata_url",
]

MASK = "********"
_SECRET_NAME = re.compile(
    r"(signature|secret|token|authorization|cookie|password|passwd|api[-_]?key|hmac|"
    r"x-hub-signature|verify[-_.]?token|crc[-_]token|validationtoken|x-hook-secret|"
    r"x-trello-webhook|plaid-verification|"
    # short names that are keys or signatures on their own (Azure Functions' ?code=, ?sig=,
    # ?key=, Ocp-Apim-Subscription-Key, ?auth=, ?pwd=)
    r"^(sig|code|auth|pwd|pass|key)$|[-_.]key$)",
    re.IGNORECASE,
)

#: What a rejected request or a handshake may keep of its headers and URL: they are stored for
#: anyone who can reach the endpoint, so a flood of 128 KiB headers must not fill the disk.
STORED_HEADERS_MAX = 8 * 1024
STORED_VALUE_MAX = 1024
STORED_URL_MAX = 2048


def is_secret_name(name: str) -> bool:
    """True for header/query names that carry secrets or signatures."""
    return bool(_SECRET_NAME.search(name))


def mask_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(k, MASK if is_secret_name(k) else v) for k, v in headers]


def bounded_headers(
    headers: Iterable[tuple[str, str]],
    *,
    total: int = STORED_HEADERS_MAX,
    value_max: int = STORED_VALUE_MAX,
) -> list[tuple[str, str]]:
    """Headers cut to size for storing unauthenticated metadata: each value to ``value_max``
    characters, and the whole to ``total`` (the rest replaced by one ``…`` entry saying how many
    were left out)."""
    kept: list[tuple[str, str]] = []
    used = 0
    items = list(headers)
    for index, (name, value) in enumerate(items):
        if len(value) > value_max:
            value = f"{value[:value_max]}… ({len(value) - value_max} more characters)"
        size = len(name) + len(value)
        if used + size > total:
            kept.append(("…", f"{len(items) - index} more headers not kept"))
            break
        kept.append((name, value))
        used += size
    return kept


def bounded_url(url: str, limit: int = STORED_URL_MAX) -> str:
    """``url`` cut to ``limit`` characters (for unauthenticated metadata)."""
    return url if len(url) <= limit else f"{url[:limit]}…"


def metadata_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Headers as kept for a rejected request, a handshake or a duplicate: masked, cut to size."""
    return bounded_headers(mask_headers(headers))


def metadata_url(url: str) -> str:
    """A URL as kept for a rejected request or a handshake: masked, cut to size."""
    return bounded_url(mask_url(url))


def mask_url(url: str) -> str:
    """Mask the credentials of a URL: its userinfo (``user:********@``, or ``********@``
    for a user name alone, which is often a token) and the values of secret-looking query
    parameters."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.split("?", 1)[0]
    if "@" in parts.netloc:
        userinfo, _, hostport = parts.netloc.rpartition("@")
        user, colon, _password = userinfo.partition(":")
        masked = f"{user}:{MASK}" if colon else MASK
        parts = parts._replace(netloc=f"{masked}@{hostport}")
        url = urlunsplit(parts)
    if not parts.query:
        return url
    # ';' separates parameters for some servers too: treat it as '&' so nothing hides behind it
    pairs = parse_qsl(parts.query.replace(";", "&"), keep_blank_values=True)
    masked_pairs = [(k, MASK if is_secret_name(k) else v) for k, v in pairs]
    return urlunsplit(parts._replace(query=urlencode(masked_pairs, safe="*")))


def mask_url_path(url: str) -> str:
    """``url`` as a log may show it when its path is the credential (Slack's incoming webhooks,
    most chat and automation hooks): scheme and host only, the path, any user info and the
    query's secret-looking values masked."""
    try:
        parts = urlsplit(mask_url(url))
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return MASK
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    path = f"/{MASK}" if parts.path.strip("/") else parts.path
    return urlunsplit(parts._replace(netloc=netloc, path=path))


_URL_IN_TEXT = re.compile(r"https?://[^\s'\"<>]+")


def mask_urls_in(text: str) -> str:
    """``text`` (an error message, a traceback) with the secret-looking query values of every
    URL in it masked: httpx puts the whole URL in ``HTTPStatusError``'s message."""
    return _URL_IN_TEXT.sub(lambda m: mask_url(m.group(0)), text) if "://" in text else text


def mask_known_secrets(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of a configured secret (8 characters or more) masked: some
    senders put the shared secret in the body itself (Microsoft Graph's ``clientState``), and a
    stored body is shown in the API, the dashboard and the CLI."""
    for secret in sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def mask_secret(secret: str) -> str:
    """Show a secret as its length and last two characters at most."""
    if len(secret) <= 8:
        return MASK
    return f"{MASK}{secret[-2:]}"
