"""Hookpoint provider plugin for WorkOS webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``workos = "hookpoint_workos:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: https://workos.com/docs/events/data-syncing/webhooks and workos-python's
``client.webhooks.verify_event``.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import DEFAULT_TOLERANCE, EVENT, EVENT_TYPES, SIGNATURE, WorkOSSettings
from ._samples import SAMPLES, WEBHOOK_SECRET

__all__ = [
    "DEFAULT_TOLERANCE",
    "EVENT",
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE",
    "WEBHOOK_SECRET",
    "WorkOSSettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "workos"

PROVIDER = ProviderInfo(
    name=NAME,
    title="WorkOS",
    icon=NAME,
    icon_svg=read_icon(__name__),
    docs_url="https://workos.com/docs/events/data-syncing/webhooks",
    tested_with=("workos",),
    settings_model=WorkOSSettings,
    samples=SAMPLES,
    verification=f"{SIGNATURE.header}: t=<Unix ms>, v1=<hex HMAC-SHA256 of '{{t}}.{{raw body}}'> "
    f"keyed with the webhook secret; tolerance {DEFAULT_TOLERANCE} s both ways "
    "(setting 'tolerance')",
    handshake=None,
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[WorkOSSettings] = ProviderPlugin(PROVIDER, scheme=SIGNATURE, events=EVENT)
