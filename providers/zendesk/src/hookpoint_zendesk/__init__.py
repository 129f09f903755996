"""Hookpoint provider plugin for Zendesk webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``zendesk = "hookpoint_zendesk:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: https://developer.zendesk.com/documentation/webhooks/verifying/.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import (
    DEFAULT_TOLERANCE,
    EVENT,
    EVENT_TYPES,
    SIGNATURE,
    TEST_SIGNING_SECRET,
    ZendeskSettings,
)
from ._samples import SAMPLES

__all__ = [
    "DEFAULT_TOLERANCE",
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE",
    "TEST_SIGNING_SECRET",
    "ZendeskSettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "zendesk"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Zendesk",
    icon="zendesk",
    icon_svg=read_icon(__name__),
    docs_url="https://developer.zendesk.com/documentation/webhooks/verifying/",
    settings_model=ZendeskSettings,
    samples=SAMPLES,
    verification=f"{SIGNATURE.signature_header}: base64 HMAC-SHA256 of "
    f"{SIGNATURE.timestamp_header} + raw body keyed with the signing secret; timestamp within "
    f"{DEFAULT_TOLERANCE} s both ways",
    handshake=None,
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[ZendeskSettings] = ProviderPlugin(PROVIDER, scheme=SIGNATURE, events=EVENT)
