"""Hookpoint provider plugin for X (Twitter) Account Activity webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``twitter = "hookpoint_twitter:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour:
https://developer.x.com/en/docs/x-api/enterprise/account-activity-api/guides/securing-webhooks.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import (
    EVENT_TYPES,
    SIGNATURE,
    TwitterSettings,
    challenge,
    crc_response_token,
    describe,
)
from ._samples import SAMPLES

__all__ = [
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE",
    "TwitterSettings",
    "crc_response_token",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "twitter"

PROVIDER = ProviderInfo(
    name=NAME,
    title="X (Twitter) Account Activity",
    icon="x",
    icon_svg=read_icon(__name__),
    docs_url="https://docs.x.com/x-api/webhooks/quickstart",
    settings_model=TwitterSettings,
    samples=SAMPLES,
    verification=(
        "x-twitter-webhooks-signature: 'sha256=' + base64 HMAC-SHA256 of the raw body "
        "keyed with the app's consumer secret"
    ),
    handshake=(
        'CRC: GET ?crc_token=... answered 200 JSON {"response_token": "sha256=" + '
        "base64 HMAC-SHA256(consumer secret, crc_token)}"
    ),
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[TwitterSettings] = ProviderPlugin(
    PROVIDER, scheme=SIGNATURE, describe=describe, challenge=challenge
)
