"""Hookpoint provider plugin for Clerk webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``clerk = "hookpoint_clerk:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: https://clerk.com/docs/guides/development/webhooks/overview (events and
payloads), https://clerk.com/docs/webhooks/sync-data (the Dashboard's setup) and
https://clerk.com/docs/reference/backend/verify-webhook (verification: Svix / Standard
Webhooks, https://docs.svix.com/receiving/verifying-payloads/how-manual).
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import DEFAULT_TOLERANCE, EVENT, EVENT_TYPES, SCHEME, ClerkSettings
from ._samples import SAMPLES, SIGNING_SECRET

__all__ = [
    "DEFAULT_TOLERANCE",
    "EVENT",
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SCHEME",
    "SIGNING_SECRET",
    "ClerkSettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "clerk"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Clerk",
    icon=NAME,
    icon_svg=read_icon(__name__),
    docs_url="https://clerk.com/docs/guides/development/webhooks/overview",
    tested_with=("svix",),
    settings_model=ClerkSettings,
    samples=SAMPLES,
    verification=f"{SCHEME.verification} (Svix)",
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[ClerkSettings] = ProviderPlugin(PROVIDER, scheme=SCHEME, events=EVENT)
"""The plugin: the entry point names this object."""
