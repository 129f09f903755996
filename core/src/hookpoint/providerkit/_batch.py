"""Deliveries that batch several events in one JSON array (GoCardless ``{"events": [...]}``, LINE
``{"destination", "events": [...]}``): :class:`BatchSpec` describes the whole batch, and
:func:`batch_id` is its dedupe key."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from .._models import EventInfo
from ._events import body_digest, lookup, text, to_datetime

if TYPE_CHECKING:
    from .._request import WebhookRequest


MAX_BATCH_ID = 200
"""Longest dedupe id :func:`batch_id` returns as a plain list; longer lists are hashed."""


def batch_id(keys: Iterable[str], body: bytes, *, max_length: int = MAX_BATCH_ID) -> str:
    """The dedupe id of a delivery carrying the events ``keys`` name.

    One key: the key itself. Several: their sorted, comma-joined list, so a redelivery of the
    same events matches whatever their order (``sha256:<hex>`` of that list when it is longer
    than ``max_length``). None: :func:`body_digest` of the raw body (a retry repeats the bytes).

    >>> batch_id(["EV2", "EV1", "EV2"], b"{}")
    'EV1,EV2'
    """
    unique = sorted(set(keys))
    if len(unique) == 1 and len(unique[0]) <= max_length:
        return unique[0]
    if unique:
        joined = ",".join(unique)
        if len(joined) <= max_length:
            return joined
        return "sha256:" + hashlib.sha256(joined.encode("utf-8")).hexdigest()
    return body_digest(body)


ItemValue = str | Callable[[Mapping[str, Any]], Any]
"""Where an item keeps a value: a dotted path into the item, or a function of the item."""


def _read(item: Mapping[str, Any], where: ItemValue) -> Any:
    return where(item) if callable(where) else lookup(item, where)


@dataclass(frozen=True)
class BatchSpec:
    """Where a batched delivery keeps its events, and what to read from each.

    ``items`` is the dotted path of the array in the body object (``""``: the body is the
    array). ``type``, ``id`` and ``time`` say where each item keeps them (a dotted path into the
    item, or a function of it). The description of the whole delivery is:

    * ``type``: the first item's type (every distinct type is in ``fields["types"]``, which a
      filter matches with ``{"types": [{"$includes": "payments.failed"}]}``);
    * ``id``: :func:`batch_id` of the items' ids (a hash of the body when they have none);
    * ``time``: the latest item time;
    * ``fields``: ``count`` (items in the batch), ``types``, one list of distinct values per
      entry of ``item_fields`` (first-seen order, at most ``max_values``), and one value per
      entry of ``envelope`` (dotted paths into the body object, e.g. LINE's ``destination``).

    At most ``max_items`` items are read (the count is still exact). Never raises on odd bodies.
    """

    type: ItemValue
    id: ItemValue
    time: ItemValue | None = None
    items: str = "events"
    time_unit: Literal["s", "ms"] = "s"
    item_fields: Mapping[str, ItemValue] = field(default_factory=dict)
    envelope: Mapping[str, str] = field(default_factory=dict)
    max_items: int = 1000
    max_values: int = 100

    def events(self, request: WebhookRequest) -> list[dict[str, Any]]:
        """The batch's items that are JSON objects (others are skipped)."""
        try:
            data = request.json_view()
        except (ValueError, RecursionError):
            return []
        found = lookup(data, self.items) if self.items else data
        if not isinstance(found, list):
            return []
        return [item for item in found[: self.max_items] if isinstance(item, dict)]

    def describe(
        self, request: WebhookRequest, *, extra: Mapping[str, Any] | None = None
    ) -> EventInfo:
        """The :class:`~hookpoint.EventInfo` of the whole batch; ``extra`` adds fields."""
        items = self.events(request)
        types = self._distinct(items, self.type)
        ids = [key for key in (text(_read(item, self.id)) for item in items) if key]
        times: list[datetime] = []
        if self.time is not None:
            for item in items:
                when = to_datetime(_read(item, self.time), unit=self.time_unit)
                if when is not None:
                    times.append(when)
        fields: dict[str, Any] = {"count": len(items), "types": types}
        for name, where in self.item_fields.items():
            fields[name] = self._distinct(items, where)
        body = _body_object(request)
        for name, path in self.envelope.items():
            value = lookup(body, path) if body is not None else None
            fields[name] = value if isinstance(value, str | int | float | bool) else None
        fields.update(extra or {})
        return EventInfo(
            type=types[0] if types else None,
            id=batch_id(ids, request.body),
            time=_latest(times),
            fields=fields,
        )

    def _distinct(self, items: list[dict[str, Any]], where: ItemValue) -> list[str]:
        values: dict[str, None] = {}
        for item in items:
            value = text(_read(item, where))
            if value is not None:
                values.setdefault(value)
                if len(values) >= self.max_values:
                    break
        return list(values)


def _body_object(request: WebhookRequest) -> dict[str, Any] | None:
    try:
        data = request.json_view()
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _latest(times: list[datetime]) -> datetime | None:
    return max(times) if times else None
