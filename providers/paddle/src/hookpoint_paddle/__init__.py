"""Hookpoint provider plugin for Paddle Billing webhooks (notification destinations).

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``paddle = "hookpoint_paddle:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour:
https://developer.paddle.com/webhooks/signature-verification.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import DEFAULT_TOLERANCE, EVENT, EVENT_TYPES, SIGNATURE, PaddleSettings
from ._samples import SAMPLES, SECRET_KEY

__all__ = [
    "DEFAULT_TOLERANCE",
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SECRET_KEY",
    "SIGNATURE",
    "PaddleSettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "paddle"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Paddle Billing",
    icon="paddle",
    icon_svg=read_icon(__name__),
    docs_url="https://developer.paddle.com/webhooks/signature-verification",
    settings_model=PaddleSettings,
    samples=SAMPLES,
    event_types=EVENT_TYPES,
    verification=f"{SIGNATURE.header}: ts=<unix>;h1=<hex HMAC-SHA256 of '{{ts}}:{{raw body}}'> "
    f"keyed with the destination's secret key verbatim; any h1 may match; tolerance "
    f"{DEFAULT_TOLERANCE} s both ways (setting 'tolerance')",
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[PaddleSettings] = ProviderPlugin(PROVIDER, scheme=SIGNATURE, events=EVENT)
