"""Hookpoint provider plugin for Calendly webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``calendly = "hookpoint_calendly:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: https://developer.calendly.com/api-docs/overview/webhooks/webhook-signatures.
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
    CalendlySettings,
    dedupe_id,
    describe,
)
from ._samples import SAMPLES, SIGNING_KEY

__all__ = [
    "DEFAULT_TOLERANCE",
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE",
    "SIGNING_KEY",
    "CalendlySettings",
    "dedupe_id",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "calendly"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Calendly",
    icon="calendly",
    icon_svg=read_icon(__name__),
    docs_url="https://developer.calendly.com/api-docs/overview/webhooks/webhook-signatures",
    settings_model=CalendlySettings,
    samples=SAMPLES,
    verification=f"{SIGNATURE.header}: t=<unix>,v1=<hex HMAC-SHA256 of '{{t}}.{{raw body}}'> "
    f"keyed with the webhook signing key; tolerance {DEFAULT_TOLERANCE} s both ways "
    "(setting 'tolerance'); dedupe id '<event>:<payload.uri>' (Calendly sends no delivery id)",
    handshake=None,
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[CalendlySettings] = ProviderPlugin(
    PROVIDER, scheme=SIGNATURE, describe=describe
)
