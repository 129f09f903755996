"""Hookpoint provider plugin for LINE Messaging API webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``line = "hookpoint_line:PLUGIN"`` in the ``hookpoint`` group: the
``x-line-signature`` HMAC over the raw body (:data:`SIGNATURE`), the answer to LINE's URL check
(``answer_verify``) and the description of a delivery's events (``describe``).

Sender behaviour: https://developers.line.biz/en/docs/messaging-api/verify-webhook-signature/
and https://developers.line.biz/en/reference/messaging-api/#webhooks.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the payload models, listed in _models.__all__
from ._provider import (
    EVENT_TYPES,
    EVENTS,
    SIGNATURE,
    SIGNATURE_HEADER,
    LineSettings,
    answer_verify,
    describe,
)
from ._samples import SAMPLES

__all__ = [
    "EVENTS",
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE",
    "SIGNATURE_HEADER",
    "LineSettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "line"

PROVIDER = ProviderInfo(
    name=NAME,
    title="LINE Messaging API",
    icon=NAME,
    icon_svg=read_icon(__name__),
    docs_url="https://developers.line.biz/en/docs/messaging-api/verify-webhook-signature/",
    tested_with=("line-bot-sdk",),
    settings_model=LineSettings,
    samples=SAMPLES,
    verification=f"{SIGNATURE_HEADER}: base64 HMAC-SHA256 of the raw body keyed with the channel "
    "secret",
    handshake='POST with "events": [] (the console\'s Verify button) answered with an empty 200 '
    "once its signature verifies, else 401; no runs",
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[LineSettings] = ProviderPlugin(
    PROVIDER, scheme=SIGNATURE, describe=describe, challenge=answer_verify
)
"""The plugin: the entry point names this object."""
