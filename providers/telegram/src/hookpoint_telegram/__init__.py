"""Hookpoint provider plugin for Telegram Bot API webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``telegram = "hookpoint_telegram:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: https://core.telegram.org/bots/api#setwebhook (the secret token),
https://core.telegram.org/bots/api#update (what a delivery is) and
https://core.telegram.org/bots/webhooks (Telegram's webhook guide).
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import (
    EVENT_TYPES,
    TOKEN,
    TOKEN_HEADER,
    TelegramSettings,
    describe,
    update_kind,
    verify,
)
from ._samples import SAMPLES, SECRET_TOKEN

__all__ = [
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SECRET_TOKEN",
    "TOKEN",
    "TOKEN_HEADER",
    "TelegramSettings",
    "update_kind",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "telegram"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Telegram",
    icon=NAME,
    icon_svg=read_icon(__name__),
    docs_url="https://core.telegram.org/bots/api#setwebhook",
    tested_with=("python-telegram-bot",),
    settings_model=TelegramSettings,
    samples=SAMPLES,
    verification=f"{TOKEN_HEADER} equal to the secret_token given to setWebhook (constant "
    "time), body an Update with an integer update_id; Telegram signs neither the body nor a time",
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[TelegramSettings] = ProviderPlugin(
    PROVIDER, scheme=TOKEN, verify=verify, describe=describe
)
"""The plugin: the entry point names this object."""
