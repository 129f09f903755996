"""Hookpoint provider plugin for Mailgun webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``mailgun = "hookpoint_mailgun:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour:
https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import (
    EVENT_TYPES,
    SCHEME,
    MailgunSettings,
    describe,
    sign,
    verify,
)
from ._samples import SAMPLES

__all__ = [
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SCHEME",
    "MailgunSettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "mailgun"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Mailgun",
    icon="mailgun",
    icon_svg=read_icon(__name__),
    docs_url="https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks",
    settings_model=MailgunSettings,
    samples=SAMPLES,
    verification=(
        "signature in the body (JSON signature object or form fields): hex HMAC-SHA256 of "
        "timestamp + token keyed with the webhook signing key; timestamp within "
        "settings.tolerance (9 h; the signed token is the dedupe id)"
    ),
    handshake=None,
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[MailgunSettings] = ProviderPlugin(
    PROVIDER, verify=verify, sign=sign, describe=describe
)
