"""Hookpoint provider plugin for Microsoft Graph change notifications webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``msgraph = "hookpoint_msgraph:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour:
https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import (
    EVENT_TYPES,
    MsGraphSettings,
    challenge,
    describe,
    sign,
    verify,
)
from ._samples import SAMPLES

__all__ = [
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "MsGraphSettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "msgraph"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Microsoft Graph change notifications",
    icon="microsoft",
    icon_svg=read_icon(__name__),
    docs_url="https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks",
    settings_model=MsGraphSettings,
    samples=SAMPLES,
    verification=(
        "no signature: every value[].clientState must equal a configured secret "
        "(constant time); rich-notification validationTokens are left to the job"
    ),
    handshake=("POST ?validationToken=... answered 200 text/plain with the URL-decoded token"),
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[MsGraphSettings] = ProviderPlugin(
    PROVIDER, verify=verify, sign=sign, describe=describe, challenge=challenge
)
