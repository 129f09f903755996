"""Hookpoint provider plugin for Mux webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``mux = "hookpoint_mux:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: https://www.mux.com/docs/core/verify-webhook-signatures.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import DEFAULT_TOLERANCE, EVENT, EVENT_TYPES, SIGNATURE, MuxSettings
from ._samples import SAMPLES, SIGNING_SECRET

__all__ = [
    "DEFAULT_TOLERANCE",
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE",
    "SIGNING_SECRET",
    "MuxSettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "mux"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Mux",
    icon="mux",
    icon_svg=read_icon(__name__),
    docs_url="https://www.mux.com/docs/core/verify-webhook-signatures",
    settings_model=MuxSettings,
    samples=SAMPLES,
    verification=f"{SIGNATURE.header}: t=<unix>,v1=<hex HMAC-SHA256 of '{{t}}.{{raw body}}'> "
    f"keyed with the webhook's signing secret; tolerance {DEFAULT_TOLERANCE} s both ways "
    "(setting 'tolerance')",
    handshake=None,
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[MuxSettings] = ProviderPlugin(PROVIDER, scheme=SIGNATURE, events=EVENT)
