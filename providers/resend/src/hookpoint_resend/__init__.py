"""Hookpoint provider plugin for Resend webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``resend = "hookpoint_resend:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: https://resend.com/docs/dashboard/webhooks/introduction (setup),
https://resend.com/docs/dashboard/webhooks/event-types (events and payloads) and
https://resend.com/docs/dashboard/webhooks/verify-webhooks-requests (verification: Svix,
https://docs.svix.com/receiving/verifying-payloads/how-manual).
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import DEFAULT_TOLERANCE, EVENT, EVENT_TYPES, SCHEME, ResendSettings
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
    "ResendSettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "resend"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Resend",
    icon=NAME,
    icon_svg=read_icon(__name__),
    docs_url="https://resend.com/docs/dashboard/webhooks/introduction",
    tested_with=("svix",),
    settings_model=ResendSettings,
    samples=SAMPLES,
    verification=f"{SCHEME.verification} (Svix)",
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[ResendSettings] = ProviderPlugin(PROVIDER, scheme=SCHEME, events=EVENT)
"""The plugin: the entry point names this object."""
