"""Handshake answers: echo a value, answer in JSON, answer only once the sender's signature
verifies, or refuse in the host's own error shape."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from .._models import ChallengeResponse
from ._events import compact_json, json_object

if TYPE_CHECKING:
    from .._request import WebhookRequest
    from ._plugin import RequestScheme


def echo_challenge(
    value: str,
    *,
    content_type: str = "text/plain; charset=utf-8",
    headers: Mapping[str, str] | None = None,
    status: int = 200,
) -> ChallengeResponse:
    """Answer a handshake by echoing ``value`` as the body (Slack ``challenge``, Dropbox
    ``?challenge=``, Microsoft Graph ``validationToken``, Asana's header with ``headers=``)."""
    return ChallengeResponse(
        status=status,
        body=value.encode("utf-8"),
        content_type=content_type,
        headers=dict(headers or {}),
    )


def signed_handshake(
    scheme: RequestScheme,
    request: WebhookRequest,
    settings: BaseModel,
    secrets: Sequence[str],
    answer: Callable[[str], ChallengeResponse],
) -> ChallengeResponse:
    """Answer a handshake the sender signs like any delivery (Slack ``url_verification``, Zoom
    ``endpoint.url_validation``) only once it verifies.

    The challenge hook gets no ``now``, so the timestamp is checked against the request's
    arrival time. ``answer`` receives the secret that verified the request (the right one
    during a rotation, e.g. for Zoom's ``encryptedToken``). A request that does not verify gets
    the 401 a forged delivery gets (:func:`refuse_handshake` with the verification's reason).
    """
    now = request.received_at.timestamp()
    verdict = scheme.verify_request(request, settings, secrets, now)
    if not verdict:
        return refuse_handshake(verdict.reason or "verification failed")
    secret = next(s for s in secrets if scheme.verify_request(request, settings, (s,), now))
    return answer(secret)


_ERROR_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden"}


def refuse_handshake(reason: str, *, status: int = 401) -> ChallengeResponse:
    """Refuse a handshake the way the host refuses a delivery: ``status`` with
    ``{"error": ..., "message": reason}`` as JSON. The reason is also kept with the rejected
    request, so it must be short and never contain a secret."""
    if status < 400:
        raise ValueError(f"a refusal needs a 4xx or 5xx status, not {status}")
    return ChallengeResponse(
        status=status,
        body=compact_json({"error": _ERROR_CODES.get(status, "rejected"), "message": reason}),
        content_type="application/json",
        reason=reason,
    )


def json_challenge(data: Mapping[str, Any], *, status: int = 200) -> ChallengeResponse:
    """Answer a handshake with a compact JSON object (Zoom, X CRC, Discord PING)."""
    return ChallengeResponse(
        status=status, body=compact_json(data), content_type="application/json"
    )


HANDSHAKE_MAX_BODY = 64 * 1024
"""Largest body :func:`handshake_json` parses: handshakes are tiny, and a challenge hook runs
before verification, so it must not parse whatever an unauthenticated sender posts."""


def handshake_json(request: WebhookRequest) -> dict[str, Any] | None:
    """The body as a JSON object for a challenge hook: :func:`json_object`, but ``None`` for
    bodies over :data:`HANDSHAKE_MAX_BODY` (they are left to verification, which is cheap)."""
    if len(request.body) > HANDSHAKE_MAX_BODY:
        return None
    return json_object(request)
