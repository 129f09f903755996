"""Hookpoint provider plugin for Twitch EventSub webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``twitch = "hookpoint_twitch:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: https://dev.twitch.tv/docs/eventsub/handling-webhook-events.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import (
    DEFAULT_TOLERANCE,
    EVENT_TYPES,
    MESSAGE_ID,
    MESSAGE_TYPE,
    REVOCATION,
    SIGNATURE,
    TwitchSettings,
    challenge,
    describe,
)
from ._samples import SAMPLES, SUBSCRIPTION_SECRET

__all__ = [
    "DEFAULT_TOLERANCE",
    "EVENT_TYPES",
    "MESSAGE_ID",
    "MESSAGE_TYPE",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "REVOCATION",
    "SIGNATURE",
    "SUBSCRIPTION_SECRET",
    "TwitchSettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "twitch"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Twitch EventSub",
    icon="twitch",
    icon_svg=read_icon(__name__),
    docs_url="https://dev.twitch.tv/docs/eventsub/handling-webhook-events",
    tested_with=("twitchAPI",),
    settings_model=TwitchSettings,
    samples=SAMPLES,
    verification=(
        "Twitch-Eventsub-Message-Signature: 'sha256=' + hex HMAC-SHA256 of message id + "
        "timestamp (RFC 3339) + raw body, keyed with the subscription secret; tolerance "
        f"{DEFAULT_TOLERANCE} s both ways (setting 'tolerance')"
    ),
    handshake=(
        "Twitch-Eventsub-Message-Type: webhook_callback_verification answered 200 text/plain "
        "with the body's challenge once its signature verifies (else 401)"
    ),
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[TwitchSettings] = ProviderPlugin(
    PROVIDER, scheme=SIGNATURE, describe=describe, challenge=challenge
)
"""The plugin: the entry point names this object."""
