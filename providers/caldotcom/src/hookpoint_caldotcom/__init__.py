"""Hookpoint provider plugin for cal.com webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``caldotcom = "hookpoint_caldotcom:PLUGIN"`` in the ``hookpoint``
group. It is built from the provider's :class:`~hookpoint.ProviderInfo` and three functions:
``verify`` and ``sign`` (``_verify.py``) and ``describe`` (``_events.py``). The host calls them
only for endpoints whose provider is ``caldotcom`` (owner dispatch); cal.com has no handshake,
so the plugin has no challenge hook.

Sender behaviour: cal.com's sender code
(``calcom/cal.com packages/features/webhooks/lib/service/WebhookService.ts``), docs
https://cal.com/docs/developing/guides/automation/webhooks.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._events import EVENT_TYPES, VERSION_HEADER, describe
from ._models import *  # noqa: F403 - the payload models, listed in _models.__all__
from ._models import parse_payload
from ._register import register_webhook
from ._samples import SAMPLES
from ._verify import NO_SECRET, SIGNATURE_HEADER, CalSettings, sign, verify

__all__ = [
    "EVENT_TYPES",
    "NAME",
    "NO_SECRET",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE_HEADER",
    "VERSION_HEADER",
    "CalSettings",
    "register_webhook",
]
__all__ += _models.__all__

__version__ = "0.1.0"

NAME = "caldotcom"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Cal.com",
    icon="caldotcom",
    icon_svg=read_icon(__name__),
    docs_url="https://cal.com/docs/developing/guides/automation/webhooks",
    settings_model=CalSettings,
    samples=SAMPLES,
    verification=(
        f"{SIGNATURE_HEADER}: lowercase hex HMAC-SHA256 of the raw body keyed with the webhook "
        f"secret; '{NO_SECRET}' or no header = unsigned (rejected unless allow_unsigned)"
    ),
    handshake=None,
    event_types=EVENT_TYPES,
    payload_model=parse_payload,
)


PLUGIN: ProviderPlugin[CalSettings] = ProviderPlugin(
    PROVIDER, verify=verify, sign=sign, describe=describe
)
"""The plugin: the entry point names this object."""
