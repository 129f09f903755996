"""Deliveries that batch several events in one JSON array (GoCardless ``{"events": [...]}``, LINE
``{"destination", "events": [...]}``, SendGrid and HubSpot ``[...]``): :class:`BatchSpec`
describes the whole batch, :class:`ArrayBatchSpec` is the same with the defaults of a body that
is itself an array of events, and :func:`batch_id` is the default dedupe key."""

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


def _ordered_hash_id(keys: list[str], body: bytes) -> str:
    """``id_scheme="hash"``: the one key; ``batch:<sha256 of the keys joined with ",", in the
    order sent>`` for several (even several equal ones); :func:`body_digest` for none."""
    if len(keys) == 1:
        return keys[0]
    if keys:
        return "batch:" + hashlib.sha256(",".join(keys).encode("utf-8")).hexdigest()
    return body_digest(body)


@dataclass(frozen=True)
class BatchSpec:
    """Where a batched delivery keeps its events, and what to read from each.

    ``items`` is the dotted path of the array in the body object (``""``: the body itself is
    the array, as SendGrid and HubSpot send it). ``type``, ``id`` and ``time`` say where each
    item keeps them (a dotted path into the item, or a function of it). The description of the
    whole delivery is, with the defaults (each point names the option that changes it):

    * ``type``: the first item's type; ``mixed_type="none"``: the type all items share, None
      when they differ. Every distinct type, first-seen order, is in the field ``types_field``
      (``"types"``), which a filter matches with
      ``{"types": [{"$includes": "payments.failed"}]}``;
    * ``id``: :func:`batch_id` of the items' ids (order-free, hashed past ``MAX_BATCH_ID``);
      ``id_scheme="hash"``: the single id, else ``batch:<sha256 of the ids joined with ",",
      in order>``. Either way a hash of the body when no item has an id;
    * ``time``: the latest item time; ``time_of="first"``: the first item's time;
    * ``fields``: ``count`` (items read), the types, with ``ids_field`` set the items' ids in
      order (duplicates kept, at most ``max_values``), one list of distinct values per entry of
      ``item_fields`` (first-seen order, at most ``max_values``), and one scalar per entry of
      ``envelope`` (dotted paths into the body object, e.g. LINE's ``destination``).

    At most ``max_items`` items are read (None: all). Never raises on odd bodies: anything that
    is not the expected array describes as an empty batch. ::

        GOCARDLESS = BatchSpec(type=event_type, id="id", time="created_at",
                               envelope={"webhook_id": "meta.webhook_id"})
        HUBSPOT = ArrayBatchSpec(type="subscriptionType", id="eventId", time="occurredAt",
                                 time_unit="ms", ids_field="event_ids")
    """

    type: ItemValue
    id: ItemValue
    time: ItemValue | None = None
    items: str = "events"
    time_unit: Literal["s", "ms"] = "s"
    item_fields: Mapping[str, ItemValue] = field(default_factory=dict)
    envelope: Mapping[str, str] = field(default_factory=dict)
    max_items: int | None = 1000
    max_values: int = 100
    mixed_type: Literal["first", "none"] = "first"
    """A batch of several types: ``"first"`` is typed as its first item, ``"none"`` as None."""
    id_scheme: Literal["sorted", "hash"] = "sorted"
    """``"sorted"``: :func:`batch_id`; ``"hash"``: one id as is, several hashed in order."""
    time_of: Literal["latest", "first"] = "latest"
    """``"latest"``: the latest item time; ``"first"``: the first item's time (None without)."""
    types_field: str = "types"
    """The name of the field listing the batch's distinct types."""
    ids_field: str | None = None
    """The name of a field listing every item id in order (None: no such field)."""

    def events(self, request: WebhookRequest) -> list[dict[str, Any]]:
        """The batch's items that are JSON objects (others are skipped)."""
        try:
            data = request.json_view()
        except (ValueError, RecursionError):
            return []
        found = lookup(data, self.items) if self.items else data
        if not isinstance(found, list):
            return []
        read = found if self.max_items is None else found[: self.max_items]
        return [item for item in read if isinstance(item, dict)]

    def describe(
        self, request: WebhookRequest, *, extra: Mapping[str, Any] | None = None
    ) -> EventInfo:
        """The :class:`~hookpoint.EventInfo` of the whole batch; ``extra`` adds fields."""
        items = self.events(request)
        types = self._distinct(items, self.type)
        ids = [key for key in (text(_read(item, self.id)) for item in items) if key]
        fields: dict[str, Any] = {"count": len(items), self.types_field: types}
        if self.ids_field is not None:
            fields[self.ids_field] = ids[: self.max_values]
        for name, where in self.item_fields.items():
            fields[name] = self._distinct(items, where)
        body = _body_object(request)
        for name, path in self.envelope.items():
            value = lookup(body, path) if body is not None else None
            fields[name] = value if isinstance(value, str | int | float | bool) else None
        fields.update(extra or {})
        untyped = self.mixed_type == "none" and len(types) > 1
        kind = types[0] if types and not untyped else None
        if self.id_scheme == "hash":
            event_id = _ordered_hash_id(ids, request.body)
        else:
            event_id = batch_id(ids, request.body)
        return EventInfo(type=kind, id=event_id, time=self._time(items), fields=fields)

    def _time(self, items: list[dict[str, Any]]) -> datetime | None:
        if self.time is None or not items:
            return None
        if self.time_of == "first":
            return to_datetime(_read(items[0], self.time), unit=self.time_unit)
        times = [to_datetime(_read(item, self.time), unit=self.time_unit) for item in items]
        return max((when for when in times if when is not None), default=None)

    def _distinct(self, items: list[dict[str, Any]], where: ItemValue) -> list[str]:
        values: dict[str, None] = {}
        for item in items:
            value = text(_read(item, where))
            if value is not None:
                values.setdefault(value)
                if len(values) >= self.max_values:
                    break
        return list(values)


@dataclass(frozen=True)
class ArrayBatchSpec(BatchSpec):
    """A :class:`BatchSpec` for a body that is itself a JSON array of events, read in the order
    sent, as SendGrid and HubSpot post them: only the defaults differ.

    ``items=""`` (the body is the array), ``mixed_type="none"`` (a mixed batch has no type),
    ``id_scheme="hash"`` (the one event's id, else ``batch:<sha256 of the ids in order>``),
    ``time_of="first"`` (the first event's time) and ``types_field="event_types"``. Any of
    them, and every other option, can still be given::

        SENDGRID = ArrayBatchSpec(type="event", id="sg_event_id", time="timestamp",
                                  max_items=None, ids_field="sg_event_ids")
    """

    items: str = ""
    mixed_type: Literal["first", "none"] = "none"
    id_scheme: Literal["sorted", "hash"] = "hash"
    time_of: Literal["latest", "first"] = "first"
    types_field: str = "event_types"


def _body_object(request: WebhookRequest) -> dict[str, Any] | None:
    try:
        data = request.json_view()
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None
