"""Hookpoint provider plugin for Standard Webhooks senders: Svix and everyone who sends through
it, and any other sender following https://www.standardwebhooks.com (Clerk and Resend have
packages of their own: ``hookpoint-clerk``, ``hookpoint-resend``).

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``standardwebhooks = "hookpoint_standardwebhooks:PLUGIN"`` in the
``hookpoint`` group.

Sender behaviour: the Standard Webhooks specification (https://www.standardwebhooks.com;
``standard-webhooks/standard-webhooks spec/standard-webhooks.md``) and Svix's library.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import (
    DEFAULT_TOLERANCE,
    EVENT,
    EVENT_TYPES,
    SCHEME,
    StandardWebhooksSettings,
    sign,
)
from ._samples import ED25519_PRIVATE_KEY, ED25519_PUBLIC_KEY, SAMPLES, VECTOR_SECRET

__all__ = [
    "DEFAULT_TOLERANCE",
    "ED25519_PRIVATE_KEY",
    "ED25519_PUBLIC_KEY",
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SCHEME",
    "VECTOR_SECRET",
    "StandardWebhooksSettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "standardwebhooks"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Standard Webhooks (Svix, …)",
    icon="standardwebhooks",
    icon_svg=read_icon(__name__),
    docs_url="https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/"
    "standard-webhooks.md",
    tested_with=("standardwebhooks", "svix"),
    settings_model=StandardWebhooksSettings,
    samples=SAMPLES,
    verification="webhook-signature (or svix-signature): space-separated 'v1,<base64 "
    'HMAC-SHA256 of "{id}.{timestamp}.{raw body}">\' keyed with base64-decoded whsec_ secret, '
    f"or 'v1a,<base64 Ed25519>' with a whpk_ key; tolerance {DEFAULT_TOLERANCE} s both ways",
    handshake=None,
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[StandardWebhooksSettings] = ProviderPlugin(
    PROVIDER, scheme=SCHEME, events=EVENT, sign=sign
)
