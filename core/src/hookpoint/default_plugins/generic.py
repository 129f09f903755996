"""Built-in ``hmac`` provider: a generic HMAC signature over the raw body, for senders without a
plugin of their own, built like every provider: one :class:`~hookpoint.providerkit.ProviderPlugin`
object (:data:`PLUGIN`). Configure the header and algorithm through the endpoint's settings::

    hp.define_http_endpoint(id="acme", source="acme.dev", provider="hmac",
                            secrets=[os.environ["ACME_SECRET"]],
                            settings={"header_name": "X-Acme-Signature", "algorithm": "sha256"})
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .. import signing
from .._icons import read_icon
from .._models import ProviderInfo, Sample, Verification
from .._request import WebhookRequest
from .._signature import verify_request_signature
from ..providerkit import ProviderPlugin

NAME = "hmac"


class HmacSettings(BaseModel):
    """Settings of the generic HMAC provider."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    header_name: str = Field(default="X-Signature", min_length=1)
    algorithm: Literal["sha1", "sha256", "sha512"] = "sha256"
    encoding: Literal["hex", "base64", "auto"] = "auto"
    prefix: str | None = None
    """A prefix the header must carry (e.g. ``sha256=``); None strips the common ones."""


_SAMPLE_BODY = b'{"type":"order.created","id":"evt_1","data":{"order":42}}'


PROVIDER = ProviderInfo(
    name=NAME,
    title="Generic HMAC",
    icon="key",
    icon_svg=read_icon("hookpoint.default_plugins", "hmac.svg"),
    docs_url="https://github.com/hookpoint/hookpoint/blob/main/docs/providers.md",
    settings_model=HmacSettings,
    verification="HMAC (sha1/sha256/sha512) of the raw body in a configurable header, "
    "hex or base64, optional prefix",
    samples=(
        Sample(
            name="json",
            description="A JSON delivery signed with X-Signature (hex HMAC-SHA256)",
            headers={"Content-Type": "application/json"},
            body=_SAMPLE_BODY,
        ),
    ),
)


def verify(
    request: WebhookRequest, settings: HmacSettings, secrets: Sequence[str], now: float
) -> Verification:
    """The endpoint's header, algorithm, encoding and prefix, every secret (no time is signed)."""
    return verify_request_signature(
        request,
        header_name=settings.header_name,
        secret=list(secrets),
        algorithm=settings.algorithm,
        encoding=settings.encoding,
        prefix=settings.prefix,
    )


def sign(
    request: WebhookRequest, settings: HmacSettings, secret: str, now: float
) -> WebhookRequest:
    """A copy of ``request`` signed the way :func:`verify` checks (hex unless ``base64``)."""
    digest = signing.hmac_digest(secret, request.body, settings.algorithm)
    value = digest.hex() if settings.encoding != "base64" else base64.b64encode(digest).decode()
    headers = [
        (k, v) for k, v in request.headers.items() if k.lower() != settings.header_name.lower()
    ]
    headers.append((settings.header_name, (settings.prefix or "") + value))
    return request.with_context(headers=headers)


PLUGIN: ProviderPlugin[HmacSettings] = ProviderPlugin(PROVIDER, verify=verify, sign=sign)
"""The built-in plugin object (``DEFAULT_PLUGINS`` names it ``...generic:PLUGIN``)."""
