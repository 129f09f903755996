"""Hookpoint provider plugin for GoCardless webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``gocardless = "hookpoint_gocardless:PLUGIN"`` in the ``hookpoint``
group: the ``Webhook-Signature`` HMAC over the raw body (:data:`SIGNATURE`; a request that
fails it is answered :data:`REFUSAL_STATUS`, 498) and the description of a batch of events
(``_provider.describe``).

Sender behaviour: https://developer.gocardless.com/getting-started/staying-up-to-date-with-webhooks/
and https://developer.gocardless.com/api-reference/#appendix-webhooks.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the payload models, listed in _models.__all__
from ._provider import (
    ENVIRONMENTS,
    EVENT_TYPES,
    EVENTS,
    REFUSAL_STATUS,
    SIGNATURE,
    SIGNATURE_HEADER,
    GoCardlessSettings,
    describe,
)
from ._samples import SAMPLES

__all__ = [
    "ENVIRONMENTS",
    "EVENTS",
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "REFUSAL_STATUS",
    "SIGNATURE",
    "SIGNATURE_HEADER",
    "GoCardlessSettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "gocardless"

PROVIDER = ProviderInfo(
    name=NAME,
    title="GoCardless",
    icon=NAME,
    icon_svg=read_icon(__name__),
    docs_url="https://developer.gocardless.com/getting-started/staying-up-to-date-with-webhooks/",
    tested_with=("gocardless-pro",),
    settings_model=GoCardlessSettings,
    samples=SAMPLES,
    verification=f"{SIGNATURE_HEADER}: lowercase hex HMAC-SHA256 of the raw body keyed with the "
    f"webhook endpoint's secret (refused with {REFUSAL_STATUS} Token Invalid, as GoCardless asks)",
    refusal_status=REFUSAL_STATUS,
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[GoCardlessSettings] = ProviderPlugin(
    PROVIDER, scheme=SIGNATURE, describe=describe
)
"""The plugin: the entry point names this object."""
