"""Hookpoint provider plugin for Sentry integration-platform webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``sentry = "hookpoint_sentry:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: https://docs.sentry.io/integrations/integration-platform/webhooks/.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import EVENT_TYPES, FIELD_SOURCES, RESOURCES, SIGNATURE, SentrySettings, describe
from ._samples import (
    CLIENT_SECRET,
    DOCS_PAGES,
    DOCUMENTED_EXAMPLES,
    PUBLISHED_EXAMPLES,
    SAMPLES,
    published_example,
)

__all__ = [
    "CLIENT_SECRET",
    "DOCS_PAGES",
    "DOCUMENTED_EXAMPLES",
    "EVENT_TYPES",
    "FIELD_SOURCES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "PUBLISHED_EXAMPLES",
    "RESOURCES",
    "SIGNATURE",
    "SentrySettings",
    "published_example",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "sentry"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Sentry",
    icon="sentry",
    icon_svg=read_icon(__name__),
    docs_url="https://docs.sentry.io/integrations/integration-platform/webhooks/",
    settings_model=SentrySettings,
    samples=SAMPLES,
    verification=f"{SIGNATURE.header}: hex HMAC-SHA256 of the raw body keyed with the "
    "integration's Client Secret; Sentry-Hook-Timestamp is unsigned, so no tolerance; type "
    "'<Sentry-Hook-Resource>.<action>', dedupe id the Request-ID header",
    handshake=None,
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[SentrySettings] = ProviderPlugin(
    PROVIDER, scheme=SIGNATURE, describe=describe
)
