"""Typed, tolerant models of Microsoft Graph change notifications.

Shapes after Microsoft's ``changeNotificationCollection`` and ``changeNotification`` resources
(https://learn.microsoft.com/en-us/graph/api/resources/changenotificationcollection). Attribute
names are snake_case; the JSON keys are Graph's camelCase. Unknown keys are kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel

from hookpoint.providerkit import PayloadModel, payload_parser

__all__ = [
    "ChangeNotification",
    "ChangeNotificationCollection",
    "EncryptedContent",
    "ResourceData",
    "parse_payload",
]


class GraphModel(PayloadModel):
    """Base of the Graph models: camelCase JSON keys, unknown keys kept."""

    model_config = ConfigDict(alias_generator=to_camel)


class ResourceData(GraphModel):
    """``resourceData``: the changed item's id and OData annotations."""

    id: str | None = None
    odata_type: str | None = Field(default=None, alias="@odata.type")
    odata_id: str | None = Field(default=None, alias="@odata.id")
    odata_etag: str | None = Field(default=None, alias="@odata.etag")


class EncryptedContent(GraphModel):
    """Resource data of rich notifications (``includeResourceData``), encrypted with your
    certificate's public key."""

    data: str | None = None
    data_signature: str | None = None
    data_key: str | None = None
    encryption_certificate_id: str | None = None
    encryption_certificate_thumbprint: str | None = None


class ChangeNotification(GraphModel):
    """One item of ``value``: a change (``change_type``) or a lifecycle event."""

    id: str | None = None
    subscription_id: str | None = None
    subscription_expiration_date_time: datetime | str | None = Field(
        default=None, union_mode="left_to_right"
    )
    client_state: str | None = None
    change_type: str | None = None
    """``created``, ``updated`` or ``deleted``."""
    lifecycle_event: str | None = None
    """``subscriptionRemoved``, ``missed`` or ``reauthorizationRequired``."""
    resource: str | None = None
    tenant_id: str | None = None
    resource_data: ResourceData | None = None
    encrypted_content: EncryptedContent | None = None


class ChangeNotificationCollection(GraphModel):
    """The body of every notification POST: ``{"value": [...], "validationTokens": [...]?}``."""

    value: list[ChangeNotification] = Field(default_factory=list)
    validation_tokens: list[str] = Field(default_factory=list)
    """JWTs of rich notifications; validate them against Microsoft's keys in the job."""


_parse = payload_parser(ChangeNotificationCollection)


def parse_payload(data: Any) -> ChangeNotificationCollection:
    """Parse a decoded Graph notification body; ``ValueError`` when it is not a JSON object."""
    return cast("ChangeNotificationCollection", _parse(data))
