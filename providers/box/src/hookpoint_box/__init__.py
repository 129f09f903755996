"""Hookpoint provider plugin for Box webhooks (V2).

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``box = "hookpoint_box:PLUGIN"`` in the ``hookpoint`` group: the
primary/secondary signatures over body + delivery timestamp (``verify``/``sign``) and the event
description (:data:`EVENT`).

Sender behaviour: https://developer.box.com/guides/webhooks/v2/ and
https://developer.box.com/guides/webhooks/v2/signatures-v2/.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the payload models, listed in _models.__all__
from ._provider import (
    DEFAULT_TOLERANCE,
    EVENT,
    EVENT_TYPES,
    PRIMARY_HEADER,
    SECONDARY_HEADER,
    TIMESTAMP_HEADER,
    BoxSettings,
    sign,
    verify,
)
from ._samples import SAMPLES

__all__ = [
    "DEFAULT_TOLERANCE",
    "EVENT",
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PRIMARY_HEADER",
    "PROVIDER",
    "SECONDARY_HEADER",
    "TIMESTAMP_HEADER",
    "BoxSettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "box"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Box",
    icon=NAME,
    icon_svg=read_icon(__name__),
    docs_url="https://developer.box.com/guides/webhooks/v2/signatures-v2/",
    tested_with=("box-sdk-gen",),
    settings_model=BoxSettings,
    samples=SAMPLES,
    verification=f"{PRIMARY_HEADER} or {SECONDARY_HEADER}: base64 HMAC-SHA256 of the raw body "
    f"followed by {TIMESTAMP_HEADER}, keyed with the app's primary or secondary signature key "
    f"(any configured key, either header); timestamp within {DEFAULT_TOLERANCE} s both ways",
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[BoxSettings] = ProviderPlugin(
    PROVIDER, verify=verify, sign=sign, events=EVENT
)
"""The plugin: the entry point names this object."""
