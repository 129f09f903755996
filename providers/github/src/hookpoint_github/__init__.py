"""Hookpoint provider plugin for GitHub webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``github = "hookpoint_github:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour:
https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    EVENT_TYPES,
    SIGNATURE,
    GitHubSettings,
    describe,
    sign,
)
from ._samples import SAMPLES

__all__ = [
    "DELIVERY_HEADER",
    "EVENT_HEADER",
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "GitHubSettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "github"

PROVIDER = ProviderInfo(
    name=NAME,
    title="GitHub",
    icon="github",
    icon_svg=read_icon(__name__),
    docs_url="https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries",
    settings_model=GitHubSettings,
    samples=SAMPLES,
    verification=f"{SIGNATURE.header}: 'sha256=' + hex HMAC-SHA256 of the raw body keyed with "
    "the webhook secret (the legacy SHA-1 header is ignored)",
    handshake=None,
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN = ProviderPlugin(PROVIDER, scheme=SIGNATURE, describe=describe, sign=sign)
