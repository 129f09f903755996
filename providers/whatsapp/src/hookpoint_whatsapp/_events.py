"""Event description of WhatsApp notifications: type, dedupe id, time and filterable fields.

One POST can batch several entries, changes, messages and statuses, so the
description walks all of them. Dedupe keys follow Meta's ids: an inbound message's wamid, and
``<status id>:<status>`` for a status update (the same wamid goes sent → delivered → read);
the dedupe id of the delivery is ``providerkit.batch_id`` of those keys (one as is, several
sorted and comma-joined, hashed when long, the body's digest when there are none).

It is not a ``providerkit.BatchSpec``, which reads one flat array of events: here the events
sit two levels down (``entry[].changes[].value.messages[]`` and ``.statuses[]``), the type is
the *change's* ``field`` while the ids and times are the messages' and statuses', a status's
key joins two of its values, and ``entry[].time`` counts only when no message or status has a
time. The body as a JSON object (``providerkit.json_object``) is read once, shared with the
filters.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hookpoint import EventInfo
from hookpoint.providerkit import batch_id, json_object

if TYPE_CHECKING:
    from pydantic import BaseModel

    from hookpoint import WebhookRequest

__all__ = ["EVENT_TYPES", "describe"]

# ``changes[].field`` values a WhatsApp Business Account app can subscribe to (App Dashboard ->
# WhatsApp -> Configuration -> Webhook fields), as listed in Meta's webhooks reference
# (https://developers.facebook.com/docs/whatsapp/webhooks/reference, "Fields"). Unknown values
# are passed through.
EVENT_TYPES: tuple[str, ...] = (
    "messages",
    "account_alerts",
    "account_review_update",
    "account_update",
    "automatic_events",
    "business_capability_update",
    "history",
    "message_template_components_update",
    "message_template_quality_update",
    "message_template_status_update",
    "partner_solutions",
    "payment_configuration_update",
    "phone_number_name_update",
    "phone_number_quality_update",
    "security",
    "smb_app_state_sync",
    "smb_message_echoes",
    "template_category_update",
    "user_preferences",
)


def describe(request: WebhookRequest, settings: BaseModel | None = None) -> EventInfo | None:
    """Describe a notification; never raises. None when the body is not a JSON object (no
    setting changes the description)."""
    data = json_object(request)
    if data is None:
        return None

    fields: list[str] = []
    message_types: list[str] = []
    statuses: list[str] = []
    phone_number_ids: list[str] = []
    waba_ids: list[str] = []
    keys: list[str] = []
    times: list[int] = []  # messages[].timestamp and statuses[].timestamp
    entry_times: list[int] = []  # entry[].time (template, account and other updates)

    for entry in _dicts(data.get("entry")):
        _add(waba_ids, entry.get("id"))
        for change in _dicts(entry.get("changes")):
            _add(fields, change.get("field"))
            value = change.get("value")
            if not isinstance(value, dict):
                continue
            metadata = value.get("metadata")
            if isinstance(metadata, dict):
                _add(phone_number_ids, metadata.get("phone_number_id"))
            for message in _dicts(value.get("messages")):
                _add(message_types, message.get("type"))
                _add(keys, message.get("id"))
                _add_time(times, message.get("timestamp"))
            for status in _dicts(value.get("statuses")):
                state = status.get("status")
                _add(statuses, state)
                if isinstance(status.get("id"), str) and isinstance(state, str):
                    _add(keys, f"{status['id']}:{state}")
                _add_time(times, status.get("timestamp"))
        _add_time(entry_times, entry.get("time"))

    return EventInfo(
        type=fields[0] if fields else None,
        id=batch_id(keys, request.body),
        time=_latest(times or entry_times),
        fields={
            "object": data.get("object") if isinstance(data.get("object"), str) else None,
            "fields": fields,
            "message_types": message_types,
            "statuses": statuses,
            "phone_number_ids": phone_number_ids,
            "waba_ids": waba_ids,
        },
    )


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _add(target: list[str], value: Any) -> None:
    """Append a non-empty string once (keeps first-seen order)."""
    if isinstance(value, str) and value and value not in target:
        target.append(value)


def _add_time(target: list[int], value: Any) -> None:
    """Unix seconds as Meta sends them: a decimal string (messages, statuses) or an int (entry)."""
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        seconds = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 12:
        seconds = int(value)
    else:
        return
    if 0 < seconds < 253402300800:  # before year 10000: datetime can represent it
        target.append(seconds)


def _latest(times: list[int]) -> datetime | None:
    return datetime.fromtimestamp(max(times), tz=UTC) if times else None
