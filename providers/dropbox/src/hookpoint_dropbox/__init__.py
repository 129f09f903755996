"""Hookpoint provider plugin for Dropbox webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``dropbox = "hookpoint_dropbox:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: https://www.dropbox.com/developers/reference/webhooks.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import (
    EVENT_TYPES,
    SIGNATURE,
    DropboxSettings,
    challenge,
    describe,
)
from ._samples import SAMPLES

__all__ = [
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE",
    "DropboxSettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "dropbox"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Dropbox",
    icon="dropbox",
    icon_svg=read_icon(__name__),
    docs_url="https://www.dropbox.com/developers/reference/webhooks",
    settings_model=DropboxSettings,
    samples=SAMPLES,
    verification=("X-Dropbox-Signature: hex HMAC-SHA256 of the raw body keyed with the app secret"),
    handshake=(
        "GET ?challenge=... answered 200 text/plain with the challenge and "
        "X-Content-Type-Options: nosniff"
    ),
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[DropboxSettings] = ProviderPlugin(
    PROVIDER, scheme=SIGNATURE, describe=describe, challenge=challenge
)
