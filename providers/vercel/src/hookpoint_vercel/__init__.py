"""Hookpoint provider plugin for Vercel webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``vercel = "hookpoint_vercel:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: https://vercel.com/docs/webhooks (setup) and
https://vercel.com/docs/webhooks/webhooks-api (payload, event types, signature).
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import EVENT, EVENT_TYPES, SIGNATURE, VercelSettings
from ._samples import SAMPLES, SIGNING_SECRET

__all__ = [
    "EVENT",
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE",
    "SIGNING_SECRET",
    "VercelSettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "vercel"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Vercel",
    icon=NAME,
    icon_svg=read_icon(__name__),
    docs_url="https://vercel.com/docs/webhooks/webhooks-api",
    settings_model=VercelSettings,
    samples=SAMPLES,
    verification=f"{SIGNATURE.header}: hex HMAC-SHA1 of the raw body keyed with the webhook "
    "secret (or the integration's Client Secret)",
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[VercelSettings] = ProviderPlugin(PROVIDER, scheme=SIGNATURE, events=EVENT)
"""The plugin: the entry point names this object."""
