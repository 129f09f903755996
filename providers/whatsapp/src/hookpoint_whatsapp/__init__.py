"""Hookpoint provider plugin for WhatsApp Cloud API webhooks (Meta Graph API webhooks).

The module itself is the plugin (entry point ``whatsapp = "hookpoint_whatsapp"`` in the
``hookpoint`` group): the ``hookpoint_*`` functions below are its hook implementations. The host
calls them only for endpoints whose provider is ``whatsapp`` (owner dispatch).

Sender behaviour: providers spec §2 and Meta's "Webhooks - Getting Started"
(https://developers.facebook.com/docs/graph-api/webhooks/getting-started).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hookpoint import ChallengeResponse, EventInfo, ProviderInfo, Verification, hookimpl, read_icon

from . import _models
from ._events import EVENT_TYPES, describe
from ._models import *  # noqa: F403 - the payload models, listed in _models.__all__
from ._models import parse_payload
from ._register import subscribe_app
from ._samples import SAMPLES
from ._verify import SIGNATURE_HEADER, WhatsAppSettings, answer_challenge, sign, verify

if TYPE_CHECKING:
    from pydantic import BaseModel

    from hookpoint._request import WebhookRequest

__all__ = [
    "EVENT_TYPES",
    "NAME",
    "PROVIDER",
    "SIGNATURE_HEADER",
    "WhatsAppSettings",
    "hookpoint_challenge_response",
    "hookpoint_describe_event",
    "hookpoint_register_providers",
    "hookpoint_sign_request",
    "hookpoint_verify_request",
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


@hookimpl
def hookpoint_register_providers() -> list[ProviderInfo]:
    return [PROVIDER]


@hookimpl
def hookpoint_challenge_response(
    request: WebhookRequest, settings: BaseModel
) -> ChallengeResponse | None:
    token = settings.verify_token if isinstance(settings, WhatsAppSettings) else None
    return answer_challenge(request, token)


@hookimpl
def hookpoint_verify_request(request: WebhookRequest, secrets: Sequence[str]) -> Verification:
    return verify(request, secrets)


@hookimpl
def hookpoint_describe_event(request: WebhookRequest) -> EventInfo | None:
    return describe(request)


@hookimpl
def hookpoint_sign_request(request: WebhookRequest, secret: str) -> WebhookRequest:
    return sign(request, secret)
