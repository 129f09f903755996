"""Hookpoint provider plugin for Linear webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``linear = "hookpoint_linear:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: https://linear.app/developers/webhooks.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import DEFAULT_TOLERANCE, EVENT, EVENT_TYPES, SIGNATURE, LinearSettings, verify
from ._samples import SAMPLES, SIGNING_SECRET

__all__ = [
    "DEFAULT_TOLERANCE",
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE",
    "SIGNING_SECRET",
    "LinearSettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "linear"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Linear",
    icon="linear",
    icon_svg=read_icon(__name__),
    docs_url="https://linear.app/developers/webhooks",
    settings_model=LinearSettings,
    samples=SAMPLES,
    event_types=EVENT_TYPES,
    verification=f"{SIGNATURE.header}: hex HMAC-SHA256 of the raw body keyed with the signing "
    f"secret; body webhookTimestamp (ms) within {DEFAULT_TOLERANCE} s both ways",
    payload_model=_models.parse_payload,
)

PLUGIN = ProviderPlugin(PROVIDER, scheme=SIGNATURE, events=EVENT, verify=verify)
