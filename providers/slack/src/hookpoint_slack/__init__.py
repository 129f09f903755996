"""Hookpoint provider plugin for Slack (Events API, slash commands, interactivity).

The plugin is one object, :data:`PLUGIN` (a :class:`hookpoint.providerkit.ProviderPlugin`),
named by the entry point ``slack = "hookpoint_slack:PLUGIN"`` in the ``hookpoint`` group.

Sender behaviour:
https://api.slack.com/authentication/verifying-requests-from-slack and
https://api.slack.com/events/url_verification.
"""

from __future__ import annotations

from hookpoint import ProviderInfo, read_icon
from hookpoint.providerkit import ProviderPlugin

from . import _models
from ._models import *  # noqa: F403 - the models are part of the public API
from ._provider import (
    DEFAULT_TOLERANCE,
    EVENT_TYPES,
    SIGNATURE,
    SlackSettings,
    challenge,
    describe,
)
from ._samples import SAMPLES, SIGNING_SECRET

__all__ = [
    "DEFAULT_TOLERANCE",
    "EVENT_TYPES",
    "NAME",
    "PLUGIN",
    "PROVIDER",
    "SIGNATURE",
    "SIGNING_SECRET",
    "SlackSettings",
    *_models.__all__,
]

__version__ = "0.1.0"

NAME = "slack"

PROVIDER = ProviderInfo(
    name=NAME,
    title="Slack",
    icon="slack",
    icon_svg=read_icon(__name__),
    docs_url="https://api.slack.com/authentication/verifying-requests-from-slack",
    tested_with=("slack_sdk",),
    settings_model=SlackSettings,
    samples=SAMPLES,
    verification="X-Slack-Signature: 'v0=' + hex HMAC-SHA256 of 'v0:{X-Slack-Request-Timestamp}"
    ":{raw body}' keyed with the Signing Secret; tolerance "
    f"{DEFAULT_TOLERANCE} s both ways (setting 'tolerance')",
    handshake='signed POST {"type":"url_verification","challenge":...} answered 200 '
    "text/plain with the challenge once its signature verifies (else 401); ssl_check=1 → 200",
    event_types=EVENT_TYPES,
    payload_model=_models.parse_payload,
)

PLUGIN = ProviderPlugin(PROVIDER, scheme=SIGNATURE, describe=describe, challenge=challenge)
