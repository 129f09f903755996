"""How a HubSpot delivery is described (https://developers.hubspot.com/docs/api/webhooks).

HubSpot posts a JSON **array** of up to 100 events, one object each (``subscriptionType``,
``eventId``, ``occurredAt`` in Unix milliseconds, ``objectId``, ``portalId``, …). A delivery is
described as the batch it is (``providerkit.ArrayBatchSpec``, a ``BatchSpec`` with the
defaults of an array body):

* ``type``: the events' ``subscriptionType`` when they all share one (``contact.creation``),
  None for a mixed batch; ``fields.event_types`` lists the types in order, so a filter on
  ``{"event": {"fields": {"event_types": ...}}}`` matches a mixed batch too;
* ``id`` (the dedupe id): the ``eventId`` of a single event, else ``batch:<sha256 of the
  eventIds>``. A retry resends the same events with a higher ``attemptNumber``, so the bytes
  differ but the id does not. HubSpot does not promise ``eventId`` is unique across
  subscriptions; within the endpoint's dedupe window (24 h) a clash is very unlikely, and
  ``dedupe=`` on the endpoint replaces the key if it matters;
* ``time``: the first event's ``occurredAt``;
* fields: ``count``, ``event_ids`` and the distinct ``object_ids``, ``portal_ids``,
  ``subscription_ids``, ``property_names`` and ``change_sources`` of the batch.
"""

from __future__ import annotations

from hookpoint.providerkit import ArrayBatchSpec

__all__ = ["EVENT", "EVENT_TYPES"]

EVENT = ArrayBatchSpec(
    type="subscriptionType",
    id="eventId",
    time="occurredAt",
    time_unit="ms",
    ids_field="event_ids",
    item_fields={
        "object_ids": "objectId",
        "portal_ids": "portalId",
        "subscription_ids": "subscriptionId",
        "property_names": "propertyName",
        "change_sources": "changeSource",
    },
)

_OBJECTS = ("contact", "company", "deal", "ticket", "product", "line_item")
_CHANGES = (
    "creation",
    "deletion",
    "propertyChange",
    "associationChange",
    "merge",
    "restore",
)

# The webhooks API's subscription types; unknown ones (object.*, newer objects) pass through.
EVENT_TYPES: tuple[str, ...] = (
    *(f"{obj}.{change}" for obj in _OBJECTS for change in _CHANGES),
    "contact.privacyDeletion",
    "conversation.creation",
    "conversation.deletion",
    "conversation.newMessage",
    "conversation.privacyDeletion",
    "conversation.propertyChange",
)
