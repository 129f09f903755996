"""Hookpoint provider plugin for cal.com webhooks.

The module itself is the plugin (entry point ``caldotcom = "hookpoint_caldotcom"`` in the
``hookpoint`` group): the ``hookpoint_*`` functions below are its hook implementations. The host
calls them only for endpoints whose provider is ``caldotcom`` (owner dispatch).

Sender behaviour: providers spec §1 and cal.com's sender code
(``calcom/cal.com packages/features/webhooks/lib/service/WebhookService.ts``), docs
https://cal.com/docs/developing/guides/automation/webhooks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hookpoint import EventInfo, ProviderInfo, Verification, hookimpl, read_icon

from . import _models
from ._events import EVENT_TYPES, VERSION_HEADER, describe
from ._models import *  # noqa: F403 - the payload models, listed in _models.__all__
from ._models import parse_payload
from ._register import register_webhook
from ._samples import SAMPLES
from ._verify import NO_SECRET, SIGNATURE_HEADER, CalSettings, sign, verify

if TYPE_CHECKING:
    from pydantic import BaseModel

    from hookpoint._request import WebhookRequest

__all__ = [
    "EVENT_TYPES",
    "NAME",
    "NO_SECRET",
    "PROVIDER",
    "SIGNATURE_HEADER",
    "VERSION_HEADER",
    "CalSettings",
    "hookpoint_describe_event",
    "hookpoint_register_providers",
    "hookpoint_sign_request",
    "hookpoint_verify_request",
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


@hookimpl
def hookpoint_register_providers() -> list[ProviderInfo]:
    return [PROVIDER]


@hookimpl
def hookpoint_verify_request(
    request: WebhookRequest, settings: BaseModel, secrets: Sequence[str]
) -> Verification:
    allow_unsigned = isinstance(settings, CalSettings) and settings.allow_unsigned
    return verify(request, secrets, allow_unsigned=allow_unsigned)


@hookimpl
def hookpoint_describe_event(request: WebhookRequest) -> EventInfo:
    return describe(request)


@hookimpl
def hookpoint_sign_request(request: WebhookRequest, secret: str) -> WebhookRequest:
    return sign(request, secret)
