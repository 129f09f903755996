"""Hookpoint provider plugin for Twilio webhooks (Messaging, Voice, status callbacks).

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``twilio = "hookpoint_twilio:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: https://www.twilio.com/docs/usage/security and
``twilio/twilio-python twilio/request_validator.py``.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import (
    EVENT_TYPES,
    SIGNATURE_HEADER,
    TwilioSettings,
    describe,
    sign,
    signed_urls,
    verify,
)
from ._samples import AUTH_TOKEN, SAMPLES

__all__ = [
    "AUTH_TOKEN",
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE_HEADER",
    "TwilioSettings",
    "signed_urls",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "twilio"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Twilio",
    icon="twilio",
    icon_svg=read_icon(__name__),
    docs_url="https://www.twilio.com/docs/usage/security#validating-requests",
    tested_with=("twilio",),
    settings_model=TwilioSettings,
    samples=SAMPLES,
    event_types=EVENT_TYPES,
    verification=f"{SIGNATURE_HEADER}: base64 HMAC-SHA1 (Auth Token) of the full public URL "
    "+ the sorted form parameters (name+value); JSON bodies via the URL's bodySHA256; URL "
    "tried with and without the default port",
    payload_model=_models.parse_payload,
)

PLUGIN = ProviderPlugin(PROVIDER, verify=verify, sign=sign, describe=describe)
