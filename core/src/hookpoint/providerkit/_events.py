"""Reading requests and describing events: headers, query and form parameters, the JSON body,
:class:`EventSpec` (an event's type, id, time and fields by where the sender puts them) and the
tolerant payload models."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar
from urllib.parse import parse_qsl, urlsplit

from pydantic import BaseModel, ConfigDict, RootModel

from .. import signing
from .._models import EventInfo
from .._request import MAX_FORM_FIELDS

if TYPE_CHECKING:
    from .._request import WebhookRequest


M = TypeVar("M", bound=BaseModel)


_MAX_TIME = 253402300799.0  # 9999-12-31T23:59:59Z: the last second datetime can hold


def header(request: WebhookRequest, name: str) -> str | None:
    """The first value of header ``name`` (case-insensitive), ``None`` when absent or empty."""
    value = request.headers.get(name)
    return value if isinstance(value, str) and value else None


def with_headers(request: WebhookRequest, headers: Mapping[str, str]) -> WebhookRequest:
    """A copy of ``request`` with ``headers`` set (replacing same-named ones, any case)."""
    replaced = {name.lower() for name in headers}
    kept = [(k, v) for k, v in request.headers.items() if k.lower() not in replaced]
    return request.with_context(headers=[*kept, *headers.items()])


def with_body(request: WebhookRequest, body: bytes) -> WebhookRequest:
    """A copy of ``request`` with other body bytes, everything else kept: the sign hook of a
    sender that carries its signature inside the body (Adyen's ``hmacSignature``, Braintree's
    ``bt_signature`` form field). ``with_context`` keeps the body on purpose; this is the one
    way to change it."""
    from .._request import WebhookRequest

    return WebhookRequest(
        method=request.method,
        url=request.url,
        headers=request.headers,
        body=body,
        client=request.client,
        received_at=request.received_at,
        endpoint_id=request.endpoint_id,
        payload_model=request.payload_model,
    )


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


def unix_seconds(now: float) -> str:
    """``now`` as the whole Unix seconds senders put in their headers."""
    return str(int(now))


def compact_json(data: Any) -> bytes:
    """``data`` as compact UTF-8 JSON, as most senders put it on the wire."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


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


class PayloadModel(BaseModel):
    """Base of the typed event-body models: every field optional, unknown keys kept
    (``model.model_extra``), because senders add fields without notice."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class PayloadBatch(RootModel[list[M]]):
    """A body that is a JSON array of events (SendGrid, HubSpot), typed: subclass it with the
    event model (``class Batch(PayloadBatch[AcmeEvent])``); iterate it, index it, ``len()`` it;
    :meth:`parse` is the provider's ``payload_model``."""

    def __iter__(self) -> Iterator[M]:  # type: ignore[override]
        return iter(self.root)

    def __len__(self) -> int:
        return len(self.root)

    def __getitem__(self, index: int) -> M:
        return self.root[index]

    @classmethod
    def parse(cls, data: Any) -> Self:
        """Validate a decoded body; ``ValueError`` when it is not a JSON array of objects."""
        if not isinstance(data, list):
            raise ValueError(f"this webhook body is a JSON array, not {type(data).__name__}")
        return cls.model_validate(data)


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
