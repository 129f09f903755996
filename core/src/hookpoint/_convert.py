"""Rebuild a :class:`WebhookRequest` from a stored request (worker, replay, API)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ._models import EventInfo
from ._request import WebhookRequest
from .store import StoredRequest

if TYPE_CHECKING:
    from ._app import Hookpoint

__all__ = ["stored_to_request"]


def stored_to_request(stored: StoredRequest, hp: Hookpoint | None = None) -> WebhookRequest:
    """The request as the host saw it. With ``hp``, the provider describes the event again (so
    filters see every ``event`` field); otherwise the stored type/id/time are used."""
    event = None
    if stored.event_type is not None or stored.event_id is not None:
        event = EventInfo(
            type=stored.event_type,
            id=stored.event_id,
            time=datetime.fromtimestamp(stored.event_time, UTC) if stored.event_time else None,
        )
    endpoint = hp.endpoints.get(stored.endpoint_id) if hp is not None else None
    payload_model = None
    if endpoint is not None and endpoint.provider is not None:
        info = hp.plugins.providers.get(endpoint.provider) if hp is not None else None
        payload_model = info.payload_model if info is not None else None
    request = WebhookRequest(
        method=stored.method,
        url=stored.url,
        headers=list(stored.headers),
        body=stored.body,
        client=stored.client,
        received_at=datetime.fromtimestamp(stored.received_at, UTC),
        event=event,
        endpoint_id=stored.endpoint_id,
        payload_model=payload_model,
    )
    if hp is not None and endpoint is not None and endpoint.provider and endpoint.settings:
        described = hp.plugins.describe(endpoint.provider, request, endpoint.settings)
        if described is not None:
            request = request.with_context(event=described)
    return request
