"""Hookpoint provider plugin for Netlify deploy notifications (outgoing webhooks).

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``netlify = "hookpoint_netlify:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: https://docs.netlify.com/site-deploys/deploy-notifications/ (events, outgoing
webhooks, the JWS payload signature).
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import EVENT, EVENT_TYPES, SIGNATURE, NetlifySettings, describe
from ._samples import SAMPLES, SIGNING_SECRET

__all__ = [
    "EVENT",
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE",
    "SIGNING_SECRET",
    "NetlifySettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "netlify"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Netlify",
    icon=NAME,
    icon_svg=read_icon(__name__),
    docs_url="https://docs.netlify.com/site-deploys/deploy-notifications/",
    settings_model=NetlifySettings,
    samples=SAMPLES,
    verification=f"{SIGNATURE.header}: HS256 JWS keyed with the JWS secret token, claims "
    'iss = "netlify" and sha256 = hex SHA-256 of the raw body',
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[NetlifySettings] = ProviderPlugin(
    PROVIDER, scheme=SIGNATURE, describe=describe
)
"""The plugin: the entry point names this object."""
