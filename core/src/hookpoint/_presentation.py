"""What an endpoint shows besides its URL: ``properties`` (label/text/link rows on its dashboard
page, like Trigger.dev's endpoint ``properties``) and ``examples`` (deliveries the dashboard's
**Test** action and ``hookpoint test`` send as test deliveries, like Trigger.dev's ``examples``).

Both are validated when the endpoint is defined; a bad one is a :class:`~hookpoint.ConfigError`
naming the endpoint.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from ._errors import ConfigError

if TYPE_CHECKING:
    from ._app import Endpoint

__all__ = [
    "EndpointExample",
    "EndpointProperty",
    "check_examples",
    "check_properties",
    "examples_of",
]

_MAX_PROPERTIES = 50
_MAX_EXAMPLES = 50
_EXAMPLE_BODY_MAX = 1024 * 1024
_Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class EndpointProperty(BaseModel):
    """One row of an endpoint's ``properties``: ``{"label", "text", "url"?}``; ``url`` must be
    ``http`` or ``https`` (it becomes a link)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: _Label
    text: _Text
    url: str | None = Field(default=None, max_length=2048)

    @field_validator("url")
    @classmethod
    def _web_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        try:
            parts = urlsplit(value)
        except ValueError:
            raise ValueError("url is not a URL") from None
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise ValueError("url must be an absolute http:// or https:// URL")
        if any(c in value for c in "\x00\r\n\t <>\"'\\") or any(ord(c) < 32 for c in value):
            raise ValueError("url has characters a link cannot carry")
        return value


class EndpointExample(BaseModel):
    """One delivery an endpoint can be tested with: ``{"id", "name", "method"?, "headers"?,
    "body"?}``. ``body`` is ``str``, ``bytes`` or a JSON value (sent as JSON, with
    ``Content-Type: application/json`` unless ``headers`` name one)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    name: _Label
    method: str = Field(default="POST", pattern=r"^[A-Za-z]{1,16}$")
    headers: dict[str, str] = Field(default_factory=dict)
    body: Any = b""
    query: str = Field(default="", max_length=2048)
    """A query string (without ``?``) the example is sent with."""

    @field_validator("method")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name, text in value.items():
            if (
                not name
                or any(c in name for c in " :\r\n\x00")
                or any(c in text for c in "\r\n\x00")
            ):
                raise ValueError(f"header {name!r} is not a valid header line")
        return value

    @field_validator("body", mode="before")
    @classmethod
    def _body(cls, value: Any) -> Any:
        if isinstance(value, bytes | bytearray | memoryview):
            data = bytes(value)
        elif isinstance(value, str):
            data = value.encode("utf-8")
        else:
            try:
                data = json.dumps(value, allow_nan=False, separators=(",", ":")).encode("utf-8")
            except (TypeError, ValueError) as exc:
                raise ValueError(f"body must be str, bytes or a JSON value: {exc}") from None
            return _JsonBody(data)
        if len(data) > _EXAMPLE_BODY_MAX:
            raise ValueError(f"body is over {_EXAMPLE_BODY_MAX} bytes")
        return data

    @property
    def body_bytes(self) -> bytes:
        """The body as it is sent."""
        return bytes(self.body)

    @property
    def request_headers(self) -> dict[str, str]:
        """The headers as they are sent (a JSON body adds ``Content-Type`` when none is set)."""
        headers = dict(self.headers)
        if isinstance(self.body, _JsonBody) and not any(
            k.lower() == "content-type" for k in headers
        ):
            headers["Content-Type"] = "application/json"
        return headers


class _JsonBody(bytes):
    """An example body given as a JSON value (so a ``Content-Type`` can be added)."""


def _messages(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in exc.errors()
    )


def check_properties(endpoint_id: str, properties: object) -> tuple[EndpointProperty, ...]:
    """``properties`` validated: a list of ``{"label", "text", "url"?}`` mappings (or models)."""
    if properties is None:
        return ()
    if isinstance(properties, str | bytes | Mapping) or not isinstance(properties, Sequence):
        raise ConfigError(f"endpoint {endpoint_id!r}: properties must be a list of mappings")
    if len(properties) > _MAX_PROPERTIES:
        raise ConfigError(f"endpoint {endpoint_id!r}: at most {_MAX_PROPERTIES} properties")
    out: list[EndpointProperty] = []
    for index, item in enumerate(properties):
        try:
            out.append(EndpointProperty.model_validate(item))
        except ValidationError as exc:
            raise ConfigError(
                f"endpoint {endpoint_id!r}: properties[{index}] is invalid: {_messages(exc)}"
            ) from None
    return tuple(out)


def check_examples(endpoint_id: str, examples: object) -> tuple[EndpointExample, ...] | None:
    """``examples`` validated (ids unique); None when not given (the provider's samples)."""
    if examples is None:
        return None
    if isinstance(examples, str | bytes | Mapping) or not isinstance(examples, Sequence):
        raise ConfigError(f"endpoint {endpoint_id!r}: examples must be a list of mappings")
    if len(examples) > _MAX_EXAMPLES:
        raise ConfigError(f"endpoint {endpoint_id!r}: at most {_MAX_EXAMPLES} examples")
    out: list[EndpointExample] = []
    seen: set[str] = set()
    for index, item in enumerate(examples):
        try:
            example = EndpointExample.model_validate(item)
        except ValidationError as exc:
            raise ConfigError(
                f"endpoint {endpoint_id!r}: examples[{index}] is invalid: {_messages(exc)}"
            ) from None
        if example.id in seen:
            raise ConfigError(f"endpoint {endpoint_id!r}: example id {example.id!r} is used twice")
        seen.add(example.id)
        out.append(example)
    return tuple(out)


def examples_of(endpoint: Endpoint) -> tuple[EndpointExample, ...]:
    """What ``endpoint`` can be tested with: its ``examples=``, else its provider's delivery
    samples (handshakes left out: they start no runs), else none."""
    if endpoint.examples is not None:
        return endpoint.examples
    if endpoint.provider is None:
        return ()
    info = endpoint.hp.plugins.providers.get(endpoint.provider)
    out: list[EndpointExample] = []
    for sample in info.samples if info is not None else ():
        if sample.challenge:
            continue
        try:
            out.append(
                EndpointExample(
                    id=sample.name[:64],
                    name=(sample.description or sample.name)[:100],
                    method=sample.method,
                    headers=dict(sample.headers),
                    body=sample.body,
                    query=sample.path_query,
                )
            )
        except ValidationError:  # a sample no example can express: not offered
            continue
    return tuple(out)
