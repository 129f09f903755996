"""Hookpoint provider plugin for Intercom webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``intercom = "hookpoint_intercom:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: https://developers.intercom.com/docs/webhooks.
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
    IntercomSettings,
    challenge,
)
from ._samples import SAMPLES

__all__ = [
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE",
    "IntercomSettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "intercom"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Intercom",
    icon="intercom",
    icon_svg=read_icon(__name__),
    docs_url="https://developers.intercom.com/docs/webhooks",
    settings_model=IntercomSettings,
    samples=SAMPLES,
    verification=(
        "X-Hub-Signature: 'sha1=' + hex HMAC-SHA1 of the raw body keyed with the app's "
        "client_secret"
    ),
    handshake="HEAD when the endpoint URL is saved: answered with an empty 200",
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[IntercomSettings] = ProviderPlugin(
    PROVIDER, scheme=SIGNATURE, events=EVENT, challenge=challenge
)
