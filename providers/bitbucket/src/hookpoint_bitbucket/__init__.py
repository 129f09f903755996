"""Hookpoint provider plugin for Bitbucket Cloud webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``bitbucket = "hookpoint_bitbucket:PLUGIN"`` in the ``hookpoint``
group.

Sender behaviour: https://support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import (
    EVENT,
    EVENT_HEADER,
    EVENT_TYPES,
    REQUEST_HEADER,
    SIGNATURE,
    BitbucketSettings,
)
from ._samples import SAMPLES, WEBHOOK_SECRET

__all__ = [
    "EVENT_HEADER",
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "REQUEST_HEADER",
    "SIGNATURE",
    "WEBHOOK_SECRET",
    "BitbucketSettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "bitbucket"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Bitbucket",
    icon="bitbucket",
    icon_svg=read_icon(__name__),
    docs_url="https://support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/",
    settings_model=BitbucketSettings,
    samples=SAMPLES,
    verification=f"{SIGNATURE.header}: 'sha256=' + hex HMAC-SHA256 of the raw body keyed with "
    "the webhook secret",
    handshake=None,
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[BitbucketSettings] = ProviderPlugin(PROVIDER, scheme=SIGNATURE, events=EVENT)
