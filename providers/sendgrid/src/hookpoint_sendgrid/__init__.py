"""Hookpoint provider plugin for SendGrid Event Webhook webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``sendgrid = "hookpoint_sendgrid:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: sendgrid-python's
``sendgrid/helpers/eventwebhook`` (the reference verifier).
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import (
    EVENT,
    EVENT_TYPES,
    SIGNATURE,
    SendGridSettings,
)
from ._samples import SAMPLES

__all__ = [
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE",
    "SendGridSettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "sendgrid"

PROVIDER = ProviderInfo(
    name=NAME,
    title="SendGrid Event Webhook",
    icon="sendgrid",
    icon_svg=read_icon(__name__),
    docs_url="https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features",
    settings_model=SendGridSettings,
    samples=SAMPLES,
    verification=(
        "X-Twilio-Email-Event-Webhook-Signature: base64 DER ECDSA P-256/SHA-256 of "
        "X-Twilio-Email-Event-Webhook-Timestamp + raw body, verified with the verification "
        "key; setting tolerance bounds the timestamp (none by default, like SendGrid's SDK)"
    ),
    handshake=None,
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[SendGridSettings] = ProviderPlugin(PROVIDER, scheme=SIGNATURE, events=EVENT)
