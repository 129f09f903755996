"""Hookpoint provider plugin for Discord interactions webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``discord = "hookpoint_discord:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour:
https://discord.com/developers/docs/interactions/overview and
https://discord.com/developers/docs/events/webhook-events.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import (
    EVENT_TYPES,
    SIGNATURE,
    DiscordSettings,
    challenge,
    describe,
    snowflake_time,
)
from ._samples import SAMPLES

__all__ = [
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE",
    "DiscordSettings",
    "snowflake_time",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "discord"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Discord interactions",
    icon="discord",
    icon_svg=read_icon(__name__),
    docs_url="https://discord.com/developers/docs/interactions/overview",
    settings_model=DiscordSettings,
    samples=SAMPLES,
    verification=(
        "X-Signature-Ed25519: hex Ed25519 signature of X-Signature-Timestamp + raw body, "
        "verified with the application's public key; setting tolerance bounds the timestamp "
        "(none by default, like Discord's own libraries)"
    ),
    handshake=(
        'PING: {"type":1} answered {"type":1} (webhook events: type 0 answered 204), only '
        "after the signature verifies; a badly signed PING gets 401"
    ),
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[DiscordSettings] = ProviderPlugin(
    PROVIDER, scheme=SIGNATURE, describe=describe, challenge=challenge
)
