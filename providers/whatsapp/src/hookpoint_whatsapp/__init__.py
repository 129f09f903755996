"""Hookpoint provider plugin for WhatsApp Cloud API webhooks (Meta Graph API webhooks).

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``whatsapp = "hookpoint_whatsapp:PLUGIN"`` in the ``hookpoint`` group.
It is built from the provider's :class:`~hookpoint.ProviderInfo`, the handshake and the
signature every Meta product shares (``hookpoint.providerkit.meta_challenge`` and
``META_SIGNATURE``, see ``_verify.py``) and ``describe`` (``_events.py``). The host calls them
only for endpoints whose provider is ``whatsapp`` (owner dispatch).

Sender behaviour: Meta's "Webhooks - Getting Started"
(https://developers.facebook.com/docs/graph-api/webhooks/getting-started).
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import META_SIGNATURE, ProviderPlugin, meta_challenge

from . import _models
from ._events import EVENT_TYPES, describe
from ._models import *  # noqa: F403 - the payload models, listed in _models.__all__
from ._models import parse_payload
from ._register import subscribe_app
from ._samples import SAMPLES
from ._verify import SIGNATURE_HEADER, WhatsAppSettings

__all__ = [
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE_HEADER",
    "WhatsAppSettings",
    "subscribe_app",
]
__all__ += _models.__all__

__version__ = "0.1.0"

NAME = "whatsapp"

PROVIDER = ProviderInfo(
    name=NAME,
    title="WhatsApp (Meta Cloud API)",
    icon="whatsapp",
    icon_svg=read_icon(__name__),
    docs_url="https://developers.facebook.com/docs/graph-api/webhooks/getting-started",
    settings_model=WhatsAppSettings,
    samples=SAMPLES,
    verification=(
        f"{SIGNATURE_HEADER}: 'sha256=' + hex HMAC-SHA256 of the raw body bytes keyed with the "
        "App Secret"
    ),
    handshake=(
        "GET ?hub.mode=subscribe&hub.verify_token=...&hub.challenge=... answered 200 with the "
        "challenge when the token equals settings.verify_token, else 403"
    ),
    event_types=EVENT_TYPES,
    payload_model=parse_payload,
)


PLUGIN: ProviderPlugin[WhatsAppSettings] = ProviderPlugin(
    PROVIDER, scheme=META_SIGNATURE, describe=describe, challenge=meta_challenge
)
"""The plugin: the entry point names this object."""
