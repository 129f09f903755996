"""Rebuild a :class:`WebhookRequest` from a stored request (worker, replay, API, CLI)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ._models import EventInfo
from ._request import WebhookRequest
from .store import Store, StoredRequest

if TYPE_CHECKING:
    from ._app import Hookpoint

__all__ = ["redescribe", "replay_source", "stored_to_request"]


def _utc(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


def stored_to_request(
    stored: StoredRequest, *, payload_model: Callable[[Any], Any] | None = None
) -> WebhookRequest:
    """The request as the host saw it, with the stored event type/id/time."""
    event = None
    if stored.event_type is not None or stored.event_id is not None:
        event = EventInfo(type=stored.event_type, id=stored.event_id, time=_utc(stored.event_time))
    return WebhookRequest(
        method=stored.method,
        url=stored.url,
        headers=stored.headers,
        body=stored.body,
        client=stored.client,
        received_at=_utc(stored.received_at),
        event=event,
        endpoint_id=stored.endpoint_id,
        payload_model=payload_model,
    )


def redescribe(stored: StoredRequest, hp: Hookpoint) -> WebhookRequest:
    """The stored request with its provider's full event description (every ``event`` field
    filters may use), for matching it against today's jobs."""
    endpoint = hp.endpoints.get(stored.endpoint_id)
    models = hp.payload_models()
    request = stored_to_request(stored, payload_model=models.get(stored.endpoint_id))
    if endpoint is not None and endpoint.provider and endpoint.settings is not None:
        described = hp.plugins.describe(endpoint.provider, request, endpoint.settings)
        if described is not None:
            request = request.with_context(event=described)
    return request


async def replay_source(store: Store, stored: StoredRequest) -> StoredRequest:
    """What a request replay re-delivers: the request itself, or for a duplicate the request it
    repeats (duplicates keep no body). :raises LookupError: when that original is gone."""
    if stored.status != "duplicate" or not stored.duplicate_of:
        return stored
    original = await store.get_request(stored.duplicate_of)
    if original is None:
        raise LookupError(
            f"this duplicate repeats {stored.duplicate_of}, which is gone (retention)"
        )
    return original
