"""Hookpoint provider plugin for Razorpay webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``razorpay = "hookpoint_razorpay:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: https://razorpay.com/docs/webhooks/validate-test/ and razorpay-python's
``razorpay.Utility.verify_webhook_signature``.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import EVENT, EVENT_ID_HEADER, EVENT_TYPES, SIGNATURE, RazorpaySettings
from ._samples import SAMPLES, WEBHOOK_SECRET

__all__ = [
    "EVENT",
    "EVENT_ID_HEADER",
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE",
    "WEBHOOK_SECRET",
    "RazorpaySettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "razorpay"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Razorpay",
    icon=NAME,
    icon_svg=read_icon(__name__),
    docs_url="https://razorpay.com/docs/webhooks/validate-test/",
    tested_with=("razorpay",),
    settings_model=RazorpaySettings,
    samples=SAMPLES,
    verification=f"{SIGNATURE.header}: lowercase hex HMAC-SHA256 of the raw body, keyed with "
    f"the webhook secret (no time is signed; {EVENT_ID_HEADER} is the dedupe id)",
    handshake=None,
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[RazorpaySettings] = ProviderPlugin(PROVIDER, scheme=SIGNATURE, events=EVENT)
