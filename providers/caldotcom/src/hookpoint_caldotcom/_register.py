"""Create a cal.com webhook subscription through cal.com's API v2 (optional helper).

``POST /v2/webhooks`` with ``Authorization: Bearer cal_…`` and a ``CreateWebhookInputDto`` body
(``subscriberUrl``, ``triggers``, ``active``, optional ``secret`` and ``payloadTemplate``):
https://cal.com/docs/api-reference/v2/webhooks/create-a-webhook. The HTTP client is the host's
(``io.http`` in a job, or your own): this module never creates one and never imports httpx.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

__all__ = ["DEFAULT_API_URL", "register_webhook"]

DEFAULT_API_URL = "https://api.cal.com"


async def register_webhook(
    client: httpx.AsyncClient,
    *,
    api_key: str,
    subscriber_url: str,
    triggers: Sequence[str],
    secret: str | None,
    active: bool = True,
    payload_template: str | None = None,
    api_url: str = DEFAULT_API_URL,
) -> dict[str, Any]:
    """Subscribe ``subscriber_url`` (the endpoint's public URL) to ``triggers``.

    :param client: an ``httpx.AsyncClient`` owned by the caller.
    :param api_key: a cal.com API key (``cal_…``) or an OAuth token with ``WEBHOOK_WRITE``.
    :param secret: the signing secret to give cal.com: pass the endpoint's newest secret. None
        creates an unsigned webhook (cal.com then sends ``no-secret-provided``).
    :param api_url: the API origin; self-hosted instances have their own.
    :returns: the created webhook (the response's ``data``: ``id``, ``subscriberUrl``, …).
    :raises httpx.HTTPStatusError: on a non-2xx answer (``exc.response.text`` has cal.com's
        error; the API key is never in the message).
    :raises ValueError: when the answer is not a JSON object.
    """
    body: dict[str, Any] = {
        "active": active,
        "subscriberUrl": subscriber_url,
        "triggers": list(triggers),
    }
    if secret is not None:
        body["secret"] = secret
    if payload_template is not None:
        body["payloadTemplate"] = payload_template
    response = await client.post(
        f"{api_url.rstrip('/')}/v2/webhooks",
        json=body,
        headers={"Authorization": f"Bearer {api_key}"},
    )
    response.raise_for_status()
    data = response.json()
    created = data.get("data", data) if isinstance(data, dict) else None
    if not isinstance(created, dict):
        raise ValueError("cal.com answered with an unexpected body")
    return created
