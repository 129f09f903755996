"""Built-in notifier: alerts as webhooks signed with Standard Webhooks
(https://www.standardwebhooks.com), to ``HOOKPOINT_ALERT_URL`` with the ``whsec_`` secret
``HOOKPOINT_ALERT_SECRET``.

The body is the spec's payload structure: ``{"type": "hookpoint.alert.firing" |
"hookpoint.alert.resolved", "timestamp": <ISO 8601>, "data": <the Alert as JSON>}``, and the
``webhook-id`` is the alert's id, so a receiver dedupes a repeat. Signing is providerkit's
:class:`~hookpoint.providerkit.StandardWebhooksScheme`, the one the ``standardwebhooks`` provider
verifies with (docs/alerts.md).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from .._models import Alert, Notification
from .._request import WebhookRequest
from ..hookspecs import hookimpl
from ..providerkit import StandardWebhooksScheme

__all__ = ["NAME", "alert_payload", "hookpoint_notify"]

NAME = "webhook"
_SCHEME = StandardWebhooksScheme()


def alert_payload(alert: Alert) -> dict[str, Any]:
    """The JSON body of an alert webhook (Standard Webhooks' ``type``/``timestamp``/``data``)."""
    return {
        "type": f"hookpoint.alert.{alert.state}",
        "timestamp": alert.at.isoformat(),
        "data": alert.model_dump(mode="json"),
    }


@hookimpl
def hookpoint_notify(alert: Alert, settings: BaseModel, now: float) -> list[Notification]:
    url = getattr(settings, "alert_url", None)
    secret = getattr(settings, "alert_secret", None)
    if not url or secret is None:
        return []
    unsigned = Notification.of_json(url, alert_payload(alert), notifier=NAME)
    request = WebhookRequest(
        method=unsigned.method, url=url, headers=list(unsigned.headers), body=unsigned.body
    )
    signed = _SCHEME.sign(request, secret.get_secret_value(), now, msg_id=alert.id)
    return [unsigned.model_copy(update={"headers": tuple(signed.headers.items())})]
