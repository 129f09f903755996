"""Masking of secrets in headers, URLs and settings before anything is logged, stored as
metadata, or shown in the API and dashboard."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["MASK", "is_secret_name", "mask_headers", "mask_secret", "mask_url"]

MASK = "********"
_SECRET_NAME = re.compile(
    r"(signature|secret|token|authorization|cookie|password|passwd|api[-_]?key|hmac|"
    r"x-hub-signature|verify[-_.]?token|crc[-_]token|validationtoken|x-hook-secret)",
    re.IGNORECASE,
)


def is_secret_name(name: str) -> bool:
    """True for header/query names that carry secrets or signatures."""
    return bool(_SECRET_NAME.search(name))


def mask_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(k, MASK if is_secret_name(k) else v) for k, v in headers]


def mask_url(url: str) -> str:
    """Mask the values of secret-looking query parameters."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.split("?", 1)[0]
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    masked = [(k, MASK if is_secret_name(k) else v) for k, v in pairs]
    return urlunsplit(parts._replace(query=urlencode(masked, safe="*")))


def mask_secret(secret: str) -> str:
    """Show a secret as its length and last two characters at most."""
    if len(secret) <= 8:
        return MASK
    return f"{MASK}{secret[-2:]}"
