"""Meta Graph API webhooks: the verification handshake and the signature that every Meta product
shares (WhatsApp Cloud API, Messenger, Instagram, Pages, and any other Graph object).

Meta's "Webhooks - Getting Started"
(https://developers.facebook.com/docs/graph-api/webhooks/getting-started):

* the **verification request** is ``GET <callback URL>?hub.mode=subscribe&hub.challenge=<int>&
  hub.verify_token=<string>``; the endpoint checks the token against the *Verify token* typed
  into the App Dashboard and answers ``200`` with the bare ``hub.challenge``
  (:func:`meta_challenge`, configured by :class:`MetaSettings`);
* every **event notification** carries ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the
  payload keyed with the App Secret>``, computed over the bytes as sent: Meta escapes non-ASCII
  text (and ``@``) as ``\\uXXXX``, so only the raw body verifies, never a re-serialisation
  (:data:`META_SIGNATURE`). The legacy SHA-1 ``X-Hub-Signature`` is not read.

:data:`META_HANDSHAKE_SAMPLES` are the verification request of Meta's documentation, with the
right and a wrong token, for a provider's ``samples`` (the conformance kit then checks both).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import SecretStr

from .. import signing
from .._models import ChallengeResponse, Sample
from ._hmac import HeaderSignature, HmacScheme
from ._plugin import ProviderSettings

if TYPE_CHECKING:
    from .._request import WebhookRequest


META_SIGNATURE = HeaderSignature("X-Hub-Signature-256", HmacScheme(prefix="sha256="))
"""``X-Hub-Signature-256: sha256=<lowercase hex HMAC-SHA256(app secret, raw body)>``: a
:class:`HeaderSignature`, so it is a ``scheme=`` for :class:`ProviderPlugin` (every configured
App Secret is tried in constant time; Meta signs no time, so there is no tolerance)."""


class MetaSettings(ProviderSettings):
    """Endpoint settings of a Meta webhooks provider; subclass it to add settings of your own.

    ``verify_token`` is the *Verify token* typed into the App Dashboard next to the callback
    URL. It only proves the handshake: the App Secret that signs notifications goes into the
    endpoint's ``secrets=``. Without a verify token every verification request is refused.
    """

    verify_token: SecretStr | None = None


def _refusal(status: int, reason: str) -> ChallengeResponse:
    # Plain text, as Meta's own sample endpoints answer; the reason is kept with the request.
    return ChallengeResponse(
        status=status, body=reason.encode(), content_type="text/plain", reason=reason
    )


_MISMATCH = _refusal(403, "verify token mismatch")
_BAD_MODE = _refusal(403, "unsupported hub.mode")
_NO_CHALLENGE = _refusal(400, "missing hub.challenge")


def meta_challenge(
    request: WebhookRequest, settings: MetaSettings, secrets: Sequence[str]
) -> ChallengeResponse | None:
    """Answer Meta's verification ``GET`` (a ``challenge=`` for :class:`ProviderPlugin`).

    ``None`` for anything that is not one (not a ``GET``, or no ``hub.mode``: PHP-mangled
    ``hub_mode`` names are not Meta's). ``hub.mode`` other than ``subscribe`` → ``403``; a
    ``hub.verify_token`` that does not equal ``settings.verify_token`` (constant-time), or no
    verify token configured → ``403 verify token mismatch``; no ``hub.challenge`` → ``400``;
    else ``200 text/plain`` with ``hub.challenge`` echoed exactly as received. The App Secrets
    in ``secrets`` play no part in the handshake.
    """
    if request.method != "GET":
        return None
    query = request.query
    mode = query.get("hub.mode")
    if mode is None:
        return None
    if mode != "subscribe":
        return _BAD_MODE
    token = query.get("hub.verify_token")
    verify_token = settings.verify_token
    expected = verify_token.get_secret_value() if verify_token is not None else ""
    if not expected or token is None or not signing.constant_time_equals(token, expected):
        return _MISMATCH
    challenge = query.get("hub.challenge")
    if not challenge:
        return _NO_CHALLENGE
    return ChallengeResponse(status=200, body=challenge.encode("utf-8"), content_type="text/plain")


_DOCS_TOKEN = "meatyhamhock"  # noqa: S105 - the verify token of Meta's sample request, not a secret
_DOCS_CHALLENGE = "1158201444"

META_HANDSHAKE_SAMPLES: tuple[Sample, Sample] = (
    Sample(
        name="verify_subscription",
        description="Meta's verification request when the callback URL is saved",
        method="GET",
        path_query=(
            f"hub.mode=subscribe&hub.verify_token={_DOCS_TOKEN}&hub.challenge={_DOCS_CHALLENGE}"
        ),
        settings={"verify_token": _DOCS_TOKEN},
        challenge=True,
        expect_status=200,
        expect_body=_DOCS_CHALLENGE.encode(),
    ),
    Sample(
        name="verify_subscription_wrong_token",
        description="A verification request with a verify token that does not match: 403",
        method="GET",
        path_query=(
            f"hub.mode=subscribe&hub.verify_token=not-the-token&hub.challenge={_DOCS_CHALLENGE}"
        ),
        settings={"verify_token": _DOCS_TOKEN},
        challenge=True,
        expect_status=403,
    ),
)
"""The sample verification request of "Webhooks - Getting Started" (token ``meatyhamhock``,
challenge ``1158201444``) answered ``200`` with the challenge, and the same request with a
wrong token answered ``403``: ``samples=(..., *META_HANDSHAKE_SAMPLES)``. ``hookpoint send
<provider> verify_subscription --setting verify_token=<yours>`` tries an endpoint's handshake."""
