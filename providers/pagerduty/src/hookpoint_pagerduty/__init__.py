"""Hookpoint provider plugin for PagerDuty V3 webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``pagerduty = "hookpoint_pagerduty:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: https://developer.pagerduty.com/docs/verifying-signatures.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import EVENT, EVENT_TYPES, SIGNATURE, PagerDutySettings, verify
from ._samples import SAMPLES, SIGNING_SECRET

__all__ = [
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE",
    "SIGNING_SECRET",
    "PagerDutySettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "pagerduty"

PROVIDER = ProviderInfo(
    name=NAME,
    title="PagerDuty",
    icon="pagerduty",
    icon_svg=read_icon(__name__),
    docs_url="https://developer.pagerduty.com/docs/verifying-signatures",
    settings_model=PagerDutySettings,
    samples=SAMPLES,
    verification=f"{SIGNATURE.header}: comma-separated 'v1=' + hex HMAC-SHA256 of the raw body "
    "keyed with the signing secret (any one matching; several during a secret rotation)",
    handshake=None,
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN = ProviderPlugin(PROVIDER, scheme=SIGNATURE, events=EVENT, verify=verify)
