"""Built-in notifier: alerts as Slack messages through an incoming webhook
(``HOOKPOINT_ALERT_SLACK_URL``; https://api.slack.com/messaging/webhooks).

The message is Slack's JSON: ``text`` (the line notifications and clients without blocks
show) and ``blocks``, a ``section`` with the message and a ``context`` with the condition, the
key and the time. ``&``, ``<`` and ``>`` in our text are escaped as Slack's formatting rules
ask (https://api.slack.com/reference/surfaces/formatting#escaping), so a job or endpoint name
cannot ping a channel or forge a link.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from .._models import Alert, Notification
from ..hookspecs import hookimpl

__all__ = ["NAME", "hookpoint_notify", "slack_message"]

NAME = "slack"
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _escape(text: str) -> str:
    return text.translate(_ESCAPES)


def slack_message(alert: Alert) -> dict[str, Any]:
    """The incoming-webhook payload for ``alert``."""
    firing = alert.state == "firing"
    mark = ":rotating_light:" if firing else ":white_check_mark:"
    title = f"{mark} *{alert.state.upper()}* {_escape(alert.message)}"
    context = (
        f"{_escape(alert.condition)} · {_escape(alert.key)} · app {_escape(alert.app)} · "
        f"<!date^{int(alert.at.timestamp())}^{{date_short_pretty}} {{time_secs}}|"
        f"{alert.at.isoformat()}>"
    )
    return {
        "text": f"[{alert.state.upper()}] {_escape(alert.message)}",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": title}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": context}]},
        ],
    }


@hookimpl
def hookpoint_notify(alert: Alert, settings: BaseModel) -> list[Notification]:
    url = getattr(settings, "alert_slack_url", None)
    if url is None:
        return []
    return [Notification.of_json(url.get_secret_value(), slack_message(alert), notifier=NAME)]
