"""Typed, tolerant models of HubSpot webhook bodies (https://developers.hubspot.com/docs/api/webhooks).

A delivery is a JSON array of events; :func:`parse_payload` returns a :class:`HubSpotBatch`
(iterate it, index it, ``len()`` it) of :class:`HubSpotEvent`. HubSpot's camelCase keys are
snake_case attributes here (``event.subscription_type``; the camelCase names work as input too);
``occurred_at`` is an aware datetime (HubSpot sends Unix milliseconds). Every field is optional
and unknown keys are kept (``model_extra``).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from hookpoint.providerkit import PayloadBatch, PayloadModel

__all__ = ["HubSpotBatch", "HubSpotEvent", "parse_payload"]


class HubSpotEvent(PayloadModel):
    """One event of a delivery (creation, deletion, property change, association change,
    merge, restore, privacy deletion; conversation events carry ``thread_id``/``message_id``)."""

    event_id: int | None = Field(default=None, alias="eventId")
    subscription_id: int | None = Field(default=None, alias="subscriptionId")
    subscription_type: str | None = Field(default=None, alias="subscriptionType")
    portal_id: int | None = Field(default=None, alias="portalId")
    app_id: int | None = Field(default=None, alias="appId")
    occurred_at: datetime | None = Field(default=None, alias="occurredAt")
    attempt_number: int | None = Field(default=None, alias="attemptNumber")
    object_id: int | None = Field(default=None, alias="objectId")
    object_type_id: str | None = Field(default=None, alias="objectTypeId")
    change_source: str | None = Field(default=None, alias="changeSource")
    change_flag: str | None = Field(default=None, alias="changeFlag")
    source_id: str | None = Field(default=None, alias="sourceId")
    property_name: str | None = Field(default=None, alias="propertyName")
    property_value: str | None = Field(default=None, alias="propertyValue")
    """The new value, as text (HubSpot sends every property value as a string)."""
    primary_object_id: int | None = Field(default=None, alias="primaryObjectId")
    merged_object_ids: list[int] = Field(default_factory=list, alias="mergedObjectIds")
    new_object_id: int | None = Field(default=None, alias="newObjectId")
    association_type: str | None = Field(default=None, alias="associationType")
    from_object_id: int | None = Field(default=None, alias="fromObjectId")
    to_object_id: int | None = Field(default=None, alias="toObjectId")
    association_removed: bool | None = Field(default=None, alias="associationRemoved")
    is_primary_association: bool | None = Field(default=None, alias="isPrimaryAssociation")
    thread_id: int | None = Field(default=None, alias="threadId")
    message_id: str | None = Field(default=None, alias="messageId")
    message_type: str | None = Field(default=None, alias="messageType")


class HubSpotBatch(PayloadBatch[HubSpotEvent]):
    """A delivery: the events in the order HubSpot sent them."""

    @property
    def subscription_types(self) -> list[str]:
        """The distinct event types of the batch, in order."""
        return list(dict.fromkeys(e.subscription_type for e in self if e.subscription_type))


parse_payload = HubSpotBatch.parse
"""Parse a decoded HubSpot body (a JSON array of event objects); ``ValueError`` otherwise."""
