"""Hookpoint provider plugin for Zoom webhooks (Zoom Marketplace apps' event subscriptions).

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``zoom = "hookpoint_zoom:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: https://developers.zoom.us/docs/api/webhooks/.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import (
    DEFAULT_TOLERANCE,
    EVENT_TYPES,
    SIGNATURE,
    URL_VALIDATION,
    ZoomSettings,
    challenge,
    describe,
    encrypted_token,
)
from ._samples import SAMPLES, SECRET_TOKEN

__all__ = [
    "DEFAULT_TOLERANCE",
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SECRET_TOKEN",
    "SIGNATURE",
    "URL_VALIDATION",
    "ZoomSettings",
    "encrypted_token",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "zoom"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Zoom",
    icon="zoom",
    icon_svg=read_icon(__name__),
    docs_url="https://developers.zoom.us/docs/api/webhooks/",
    settings_model=ZoomSettings,
    samples=SAMPLES,
    event_types=EVENT_TYPES,
    verification="x-zm-signature: 'v0=' + hex HMAC-SHA256 of 'v0:{x-zm-request-timestamp}:{raw "
    f"body}}' keyed with the Secret Token; tolerance {DEFAULT_TOLERANCE} s both ways",
    handshake="signed POST event=endpoint.url_validation answered 200 JSON {plainToken, "
    "encryptedToken: hex HMAC-SHA256(secret, plainToken)} once it verifies (else 401)",
    payload_model=_models.parse_payload,
)

PLUGIN = ProviderPlugin(PROVIDER, scheme=SIGNATURE, describe=describe, challenge=challenge)
