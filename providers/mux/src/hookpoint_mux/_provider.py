"""Mux's webhook signature and event description.

Sender behaviour: https://www.mux.com/docs/core/verify-webhook-signatures and
https://www.mux.com/docs/core/listen-for-webhooks.

``Mux-Signature: t=<unix seconds>,v1=<hex>`` where ``v1`` is the hex HMAC-SHA256 of
``"{t}.{raw body}"`` keyed with the webhook's signing secret (one per endpoint, shown on the
dashboard's webhooks settings page). ``v1`` is the only scheme Mux defines. Mux leaves the
tolerance to the receiver; its SDKs use five minutes, and so does Hookpoint (setting
``tolerance``), in both directions.

Mux may deliver an event more than once; every event carries a unique ``id`` (a UUID), the
dedupe id.
"""

from __future__ import annotations

from hookpoint.providerkit import (
    EventSpec,
    PairHeaderSignature,
    ProviderSettings,
    SignedTemplate,
    tolerance_field,
)

__all__ = ["DEFAULT_TOLERANCE", "EVENT", "EVENT_TYPES", "SIGNATURE", "MuxSettings"]

DEFAULT_TOLERANCE = 300
SIGNATURE = PairHeaderSignature(
    "Mux-Signature", SignedTemplate("{timestamp}.{body}"), tolerance=DEFAULT_TOLERANCE
)

EVENT = EventSpec(
    type=("body:type",),
    id=("body:id",),
    time=("body:created_at",),
    fields={
        "object_type": "body:object.type",
        "object_id": "body:object.id",
        "environment": "body:environment.id",
        "status": "body:data.status",
        "passthrough": "body:data.passthrough",
    },
)

# Common Mux Video events (https://www.mux.com/docs/core/listen-for-webhooks#types-of-events);
# unknown ones pass through.
EVENT_TYPES: tuple[str, ...] = (
    "video.asset.created",
    "video.asset.ready",
    "video.asset.errored",
    "video.asset.updated",
    "video.asset.deleted",
    "video.asset.live_stream_completed",
    "video.asset.static_renditions.ready",
    "video.asset.master.ready",
    "video.asset.track.created",
    "video.asset.track.ready",
    "video.asset.track.errored",
    "video.asset.track.deleted",
    "video.upload.asset_created",
    "video.upload.cancelled",
    "video.upload.created",
    "video.upload.errored",
    "video.live_stream.created",
    "video.live_stream.connected",
    "video.live_stream.recording",
    "video.live_stream.active",
    "video.live_stream.disconnected",
    "video.live_stream.idle",
    "video.live_stream.updated",
    "video.live_stream.deleted",
)


class MuxSettings(ProviderSettings):
    """Settings of a Mux endpoint (the webhook's signing secret goes in ``secrets=``)."""

    tolerance: float = tolerance_field(DEFAULT_TOLERANCE, what="the signed t= timestamp")
