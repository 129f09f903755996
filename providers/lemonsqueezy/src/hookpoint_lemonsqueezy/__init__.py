"""Hookpoint provider plugin for Lemon Squeezy webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``lemonsqueezy = "hookpoint_lemonsqueezy:PLUGIN"`` in the
``hookpoint`` group.

Sender behaviour: https://docs.lemonsqueezy.com/help/webhooks (setup),
https://docs.lemonsqueezy.com/help/webhooks/webhook-requests (requests and payload),
https://docs.lemonsqueezy.com/help/webhooks/signing-requests (signature) and
https://docs.lemonsqueezy.com/help/webhooks/event-types (events).
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import (
    EVENT,
    EVENT_TYPES,
    SIGNATURE,
    LemonSqueezySettings,
    dedupe_id,
    describe,
)
from ._samples import SAMPLES, SIGNING_SECRET

__all__ = [
    "EVENT",
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE",
    "SIGNING_SECRET",
    "LemonSqueezySettings",
    "dedupe_id",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "lemonsqueezy"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Lemon Squeezy",
    icon=NAME,
    icon_svg=read_icon(__name__),
    docs_url="https://docs.lemonsqueezy.com/help/webhooks",
    settings_model=LemonSqueezySettings,
    samples=SAMPLES,
    verification=f"{SIGNATURE.header}: hex HMAC-SHA256 of the raw body keyed with the signing "
    "secret",
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[LemonSqueezySettings] = ProviderPlugin(
    PROVIDER, scheme=SIGNATURE, describe=describe
)
"""The plugin: the entry point names this object."""
