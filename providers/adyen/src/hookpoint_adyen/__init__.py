"""Hookpoint provider plugin for Adyen standard webhooks (payments notifications).

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``adyen = "hookpoint_adyen:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: https://docs.adyen.com/development-resources/webhooks/verify-hmac-signatures and
https://docs.adyen.com/development-resources/webhooks/handle-webhook-events.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import (
    ACCEPTED,
    EVENT_TYPES,
    SIGNED_FIELDS,
    AdyenSettings,
    challenge,
    describe,
    notification_items,
    sign,
    signing_string,
    verify,
)
from ._samples import HMAC_KEY, SAMPLES

__all__ = [
    "ACCEPTED",
    "EVENT_TYPES",
    "HMAC_KEY",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNED_FIELDS",
    "AdyenSettings",
    "notification_items",
    "signing_string",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "adyen"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Adyen",
    icon="adyen",
    icon_svg=read_icon(__name__),
    docs_url="https://docs.adyen.com/development-resources/webhooks/verify-hmac-signatures",
    tested_with=("Adyen",),
    settings_model=AdyenSettings,
    samples=SAMPLES,
    verification=(
        "every item's additionalData.hmacSignature: base64 HMAC-SHA256, keyed with the hex HMAC "
        "key, of pspReference:originalReference:merchantAccountCode:merchantReference:value:"
        "currency:eventCode:success; basic auth too when 'username'/'password' are set; "
        "answered [accepted]"
    ),
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[AdyenSettings] = ProviderPlugin(
    PROVIDER, verify=verify, sign=sign, describe=describe, challenge=challenge
)
"""The plugin: the entry point names this object."""
