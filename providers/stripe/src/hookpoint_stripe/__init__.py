"""Hookpoint provider plugin for Stripe webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``stripe = "hookpoint_stripe:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: https://docs.stripe.com/webhooks#verify-events and
``stripe/stripe-python stripe/_webhook.py``.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import DEFAULT_TOLERANCE, EVENT, EVENT_TYPES, SIGNATURE, StripeSettings
from ._samples import SAMPLES

__all__ = [
    "DEFAULT_TOLERANCE",
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE",
    "StripeSettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "stripe"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Stripe",
    icon="stripe",
    icon_svg=read_icon(__name__),
    docs_url="https://docs.stripe.com/webhooks#verify-events",
    tested_with=("stripe",),
    settings_model=StripeSettings,
    samples=SAMPLES,
    verification=f"{SIGNATURE.header}: t=<unix>,v1=<hex HMAC-SHA256 of '{{t}}.{{raw body}}'> "
    "keyed with the whsec_ secret verbatim; any v1 may match; tolerance "
    f"{DEFAULT_TOLERANCE} s both ways (setting 'tolerance')",
    handshake=None,
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[StripeSettings] = ProviderPlugin(PROVIDER, scheme=SIGNATURE, events=EVENT)
