"""Hookpoint provider plugin for Typeform webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``typeform = "hookpoint_typeform:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour:
https://www.typeform.com/developers/webhooks/secure-your-webhooks/.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import (
    EVENT,
    EVENT_TYPES,
    SIGNATURE,
    TypeformSettings,
)
from ._samples import SAMPLES

__all__ = [
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE",
    "TypeformSettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "typeform"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Typeform",
    icon="typeform",
    icon_svg=read_icon(__name__),
    docs_url="https://www.typeform.com/developers/webhooks/secure-your-webhooks/",
    settings_model=TypeformSettings,
    samples=SAMPLES,
    verification=(
        "Typeform-Signature: 'sha256=' + base64 HMAC-SHA256 of the raw body keyed with "
        "the webhook secret"
    ),
    handshake=None,
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[TypeformSettings] = ProviderPlugin(PROVIDER, scheme=SIGNATURE, events=EVENT)
