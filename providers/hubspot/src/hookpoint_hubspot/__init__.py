"""Hookpoint provider plugin for HubSpot webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``hubspot = "hookpoint_hubspot:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: https://developers.hubspot.com/docs/apps/legacy-apps/authentication/validating-requests,
https://developers.hubspot.com/docs/api/webhooks and
hubspot-api-client's ``hubspot.utils.signature.Signature``.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._events import EVENT, EVENT_TYPES
from ._models import *  # noqa: F403 - the models are part of the public API
from ._samples import CLIENT_SECRET, SAMPLES
from ._verify import (
    DEFAULT_TOLERANCE,
    LEGACY_HEADER,
    SIGNATURE,
    VERSION_HEADER,
    HubSpotSettings,
    sign,
    signed_uris,
    verify,
)

__all__ = [
    "CLIENT_SECRET",
    "DEFAULT_TOLERANCE",
    "EVENT",
    "EVENT_TYPES",
    "LEGACY_HEADER",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE",
    "VERSION_HEADER",
    "HubSpotSettings",
    "signed_uris",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "hubspot"

PROVIDER = ProviderInfo(
    name=NAME,
    title="HubSpot",
    icon=NAME,
    icon_svg=read_icon(__name__),
    docs_url="https://developers.hubspot.com/docs/apps/legacy-apps/authentication/validating-requests",
    tested_with=("hubspot-api-client",),
    settings_model=HubSpotSettings,
    samples=SAMPLES,
    verification=f"{SIGNATURE.signature_header}: base64 HMAC-SHA256 of method + URL + raw body + "
    f"{SIGNATURE.timestamp_header} (Unix ms), keyed with the app's client secret; tolerance "
    f"{DEFAULT_TOLERANCE} s both ways (setting 'tolerance'); v1/v2 {LEGACY_HEADER} only with "
    "setting 'legacy_signatures'",
    handshake=None,
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[HubSpotSettings] = ProviderPlugin(
    PROVIDER, verify=verify, sign=sign, events=EVENT
)
