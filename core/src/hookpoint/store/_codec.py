"""Encoding shared by both backends: headers and free-form values are stored as JSON text.

* Headers are a JSON array of ``[name, value]`` pairs, so order and repeated names survive.
* Run output and log data are encoded leniently: a value JSON cannot represent is stored as its
  ``repr`` string (a log line or a result is never lost because of its type).
* Task results are encoded strictly: they are replayed to later attempts, so a value that would
  not come back as it went in is refused with :class:`~hookpoint.StoreError` before anything is
  written.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import orjson

from .._errors import StoreError
from .._secrets import metadata_headers

__all__ = [
    "decode_headers",
    "decode_json",
    "duplicate_headers",
    "encode_headers",
    "encode_json",
    "encode_strict_json",
]

_SEPARATORS = (",", ":")


def encode_headers(headers: Sequence[tuple[str, str]]) -> str:
    pairs = [(str(k), str(v)) for k, v in headers]
    try:
        return orjson.dumps(pairs).decode("utf-8")  # every ingest: ~6x faster than json
    except TypeError:  # a lone surrogate, which orjson refuses and json keeps
        return _replace_unencodable(json.dumps(pairs, separators=_SEPARATORS, ensure_ascii=False))


def duplicate_headers(text: str) -> str:
    """The encoded headers a duplicate keeps: masked and cut to size like a rejected request's
    (a duplicate keeps no body either; its original has both)."""
    return encode_headers(metadata_headers(decode_headers(text)))


def decode_headers(text: str | None) -> tuple[tuple[str, str], ...]:
    if not text:
        return ()
    return tuple((str(k), str(v)) for k, v in json.loads(text))


def _lenient_default(value: object) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return repr(value)


def _clean_floats(value: Any) -> Any:
    """Replace NaN/inf (not JSON) by their repr, recursively (lenient mode only)."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {k: _clean_floats(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_floats(v) for v in value]
    return value


def _replace_unencodable(text: str) -> str:
    """Text both backends can store: a lone surrogate (JSON ``"\\ud800"``, which any sender can
    send) cannot be encoded as UTF-8, so it becomes U+FFFD; valid pairs are kept."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def encode_json(value: Any) -> str:
    """Lenient: anything JSON cannot hold becomes a string; never raises."""
    return _replace_unencodable(_encode_lenient(value))


def _encode_lenient(value: Any) -> str:
    try:
        return json.dumps(
            value,
            separators=_SEPARATORS,
            ensure_ascii=False,
            allow_nan=False,
            default=_lenient_default,
        )
    except (ValueError, TypeError, RecursionError):
        try:
            return json.dumps(
                _clean_floats(value),
                separators=_SEPARATORS,
                ensure_ascii=False,
                allow_nan=False,
                default=_lenient_default,
            )
        except (ValueError, TypeError, RecursionError):
            return json.dumps(repr(value), ensure_ascii=False)


def encode_strict_json(value: Any, what: str) -> str:
    """Strict: raise StoreError unless ``value`` is plain JSON (dict, list, str, number, None)."""
    try:
        text = json.dumps(value, separators=_SEPARATORS, ensure_ascii=False, allow_nan=False)
    except (ValueError, TypeError, RecursionError) as exc:
        raise StoreError(f"{what} is not JSON-serializable: {exc}") from exc
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # replayed values must come back exactly: refuse
        raise StoreError(f"{what} contains a lone surrogate and cannot be stored") from exc
    return text


def decode_json(text: str | None) -> Any:
    if text is None:
        return None
    return json.loads(text)
