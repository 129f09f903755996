"""What an endpoint shows besides its URL: ``properties`` (label/text/link rows on its dashboard
page, like Trigger.dev's endpoint ``properties``).

They are validated when the endpoint is defined; a bad one is a :class:`~hookpoint.ConfigError`
naming the endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated
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

__all__ = ["EndpointProperty", "check_properties"]

_MAX_PROPERTIES = 50
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
