"""Hookpoint provider plugin for Asana webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``asana = "hookpoint_asana:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: https://developers.asana.com/docs/webhooks-guide
and https://developers.asana.com/reference/createwebhook.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import (
    EVENT_TYPES,
    HANDSHAKE_HEADER,
    SIGNATURE,
    AsanaSettings,
    capture_handshake,
    challenge,
    describe,
)
from ._samples import SAMPLES

__all__ = [
    "EVENT_TYPES",
    "HANDSHAKE_HEADER",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE",
    "AsanaSettings",
    "capture_handshake",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "asana"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Asana",
    icon="asana",
    icon_svg=read_icon(__name__),
    docs_url="https://developers.asana.com/docs/webhooks-guide",
    settings_model=AsanaSettings,
    samples=SAMPLES,
    verification=(
        "X-Hook-Signature: hex HMAC-SHA256 of the raw body keyed with the webhook's "
        "X-Hook-Secret (from the handshake; configured by the operator)"
    ),
    handshake=(
        "POST with X-Hook-Secret answered 200 echoing the same X-Hook-Secret header "
        "(403 with accept_handshakes=false); the secret is never learned automatically"
    ),
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[AsanaSettings] = ProviderPlugin(
    PROVIDER, scheme=SIGNATURE, describe=describe, challenge=challenge
)
