"""Hookpoint provider plugin for Braintree webhooks.

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``braintree = "hookpoint_braintree:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour: https://developer.paypal.com/braintree/docs/guides/webhooks/parse/python and
https://developer.paypal.com/braintree/docs/reference/general/webhooks/overview.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import (
    EVENT_TYPES,
    BraintreeSettings,
    challenge,
    challenge_answer,
    decode_payload,
    describe,
    sign,
    verify,
)
from ._samples import API_KEYS, SAMPLES, notification_xml

__all__ = [
    "API_KEYS",
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "BraintreeSettings",
    "challenge_answer",
    "decode_payload",
    "notification_xml",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "braintree"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Braintree",
    icon="braintree",
    icon_svg=read_icon(__name__),
    docs_url="https://developer.paypal.com/braintree/docs/guides/webhooks/parse/python",
    tested_with=("braintree",),
    settings_model=BraintreeSettings,
    samples=SAMPLES,
    verification=(
        "form field bt_signature: 'public_key|' + hex HMAC-SHA1 of bt_payload keyed with "
        "SHA-1(private key), for a configured 'public:private' key pair"
    ),
    handshake=(
        "GET ?bt_challenge=<hex> answered 200 'public_key|' + hex HMAC-SHA1 of the challenge "
        "(first configured key pair); a malformed challenge gets 400"
    ),
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN: ProviderPlugin[BraintreeSettings] = ProviderPlugin(
    PROVIDER, verify=verify, sign=sign, describe=describe, challenge=challenge
)
"""The plugin: the entry point names this object."""
