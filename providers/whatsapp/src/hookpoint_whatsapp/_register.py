"""Subscribe an app to a WhatsApp Business Account's webhooks (optional helper).

``POST /<WABA_ID>/subscribed_apps`` on the Graph API with a token that can manage the WABA
(Meta, "Managing Webhooks": https://developers.facebook.com/documentation/business-messaging/
whatsapp/solution-providers/manage-webhooks). With ``override_callback_uri`` and
``verify_token`` this WABA's notifications go to another callback URL than the app's (Meta then
sends the usual verification GET there first). The HTTP client is the caller's: this module never
creates one and never imports httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

__all__ = ["DEFAULT_GRAPH_URL", "subscribe_app"]

DEFAULT_GRAPH_URL = "https://graph.facebook.com/v23.0"


async def subscribe_app(
    client: httpx.AsyncClient,
    *,
    waba_id: str,
    access_token: str,
    override_callback_uri: str | None = None,
    verify_token: str | None = None,
    graph_url: str = DEFAULT_GRAPH_URL,
) -> dict[str, Any]:
    """Subscribe the token's app to ``waba_id``'s webhooks; returns Meta's answer
    (``{"success": true}``).

    :raises ValueError: when only one of ``override_callback_uri``/``verify_token`` is given.
    :raises httpx.HTTPStatusError: on a non-2xx answer (``exc.response.text`` has Meta's error).
    """
    if (override_callback_uri is None) != (verify_token is None):
        raise ValueError("override_callback_uri and verify_token go together")
    body: dict[str, Any] = {}
    if override_callback_uri is not None:
        body = {"override_callback_uri": override_callback_uri, "verify_token": verify_token}
    response = await client.post(
        f"{graph_url.rstrip('/')}/{waba_id}/subscribed_apps",
        json=body or None,
        headers={"Authorization": f"Bearer {access_token}"},
    )
    response.raise_for_status()
    data = response.json()
    if not isinstance(data, dict):
        raise ValueError("the Graph API answered with an unexpected body")
    return data
