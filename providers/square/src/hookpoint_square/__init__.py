"""Hookpoint provider plugin for Square webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``square = "hookpoint_square:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: https://developer.squareup.com/docs/webhooks/step3validate.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import EVENT, EVENT_TYPES, SIGNATURE, SquareSettings, sign, verify
from ._samples import SAMPLES, SIGNATURE_KEY

__all__ = [
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE",
    "SIGNATURE_KEY",
    "SquareSettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "square"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Square",
    icon="square",
    icon_svg=read_icon(__name__),
    docs_url="https://developer.squareup.com/docs/webhooks/step3validate",
    settings_model=SquareSettings,
    samples=SAMPLES,
    event_types=EVENT_TYPES,
    verification=f"{SIGNATURE.header}: base64 HMAC-SHA256 of the registered notification URL "
    "+ the raw body, keyed with the subscription's signature key",
    payload_model=_models.parse_payload,
)

PLUGIN = ProviderPlugin(PROVIDER, verify=verify, sign=sign, events=EVENT)
