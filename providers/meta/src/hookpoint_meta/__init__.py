"""Hookpoint provider plugin for Meta's Graph API webhooks: Messenger, Instagram, Pages and the
other Graph objects (``user``, ``permissions``, ...).

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``meta = "hookpoint_meta:PLUGIN"`` in the ``hookpoint`` group. Meta
signs and verifies every product's webhooks the same way, so the signature and the handshake are
``hookpoint.providerkit``'s Meta building blocks, shared with the ``whatsapp`` provider:
``X-Hub-Signature-256`` over the raw body keyed with the App Secret
(:data:`~hookpoint.providerkit.META_SIGNATURE`) and the ``hub.challenge`` verification ``GET``
(:func:`~hookpoint.providerkit.meta_challenge`). What this package adds is the description of
the notification envelope (``_provider.py``), its models (``_models.py``) and samples.

Sender behaviour: Meta's "Webhooks - Getting Started"
(https://developers.facebook.com/docs/graph-api/webhooks/getting-started).
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import META_SIGNATURE, ProviderPlugin, meta_challenge

from . import _models
from ._models import *  # noqa: F403 - the payload models, listed in _models.__all__
from ._models import parse_payload
from ._provider import EVENT_TYPES, MESSAGING_FIELDS, MetaWebhookSettings, describe, messaging_field
from ._samples import SAMPLES

__all__ = [
    "EVENT_TYPES",
    "MESSAGING_FIELDS",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "MetaWebhookSettings",
    "messaging_field",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "meta"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Meta (Messenger, Instagram, Pages)",
    icon=NAME,
    icon_svg=read_icon(__name__),
    docs_url="https://developers.facebook.com/docs/graph-api/webhooks/getting-started",
    settings_model=MetaWebhookSettings,
    samples=SAMPLES,
    verification=(
        f"{META_SIGNATURE.header}: 'sha256=' + hex HMAC-SHA256 of the raw body bytes keyed with "
        "the App Secret"
    ),
    handshake=(
        "GET ?hub.mode=subscribe&hub.verify_token=...&hub.challenge=... answered 200 with the "
        "challenge when the token equals settings.verify_token, else 403"
    ),
    event_types=EVENT_TYPES,
    payload_model=parse_payload,
)

PLUGIN: ProviderPlugin[MetaWebhookSettings] = ProviderPlugin(
    PROVIDER, scheme=META_SIGNATURE, describe=describe, challenge=meta_challenge
)
"""The plugin: the entry point names this object."""
