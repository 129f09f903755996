"""Intercom's signature scheme and event description.

``X-Hub-Signature: sha1=<hex HMAC-SHA1(client_secret, raw body)>``, keyed with the app's
``client_secret`` (Developer Hub → your app → Basic information). Nothing time-bound is signed;
the notification ``id`` (``notif_…``) is the dedupe id. A ``ping`` topic arrives when the webhook
is configured: it is signed and verified like any notification and needs only a 2xx.

Before that, saving the endpoint URL in the Developer Hub sends an unsigned ``HEAD`` to it "to
validate the URL" (https://developers.intercom.com/docs/webhooks/setting-up-webhooks): the
challenge hook answers it with an empty 200, records it as a handshake and starts no run.
"""

from __future__ import annotations

from collections.abc import Sequence

from hookpoint import ChallengeResponse, WebhookRequest
from hookpoint.providerkit import (
    EventSpec,
    HeaderSignature,
    HmacScheme,
    ProviderSettings,
    echo_challenge,
)

__all__ = [
    "EVENT",
    "EVENT_TYPES",
    "SIGNATURE",
    "IntercomSettings",
    "challenge",
]

SIGNATURE = HeaderSignature("X-Hub-Signature", HmacScheme("sha1", prefix="sha1="))

# The common webhook topics (https://developers.intercom.com/docs/references/webhooks/webhook-models);
# unknown future topics are passed through.
EVENT_TYPES: tuple[str, ...] = (
    "ping",
    "conversation.user.created",
    "conversation.user.replied",
    "conversation.admin.replied",
    "conversation.admin.single.created",
    "conversation.admin.assigned",
    "conversation.admin.open.assigned",
    "conversation.admin.noted",
    "conversation.admin.closed",
    "conversation.admin.opened",
    "conversation.admin.snoozed",
    "conversation.admin.unsnoozed",
    "conversation.deleted",
    "conversation.priority.updated",
    "conversation.rating.added",
    "conversation.read",
    "conversation_part.tag.created",
    "conversation_part.redacted",
    "contact.user.created",
    "contact.user.updated",
    "contact.user.tag.created",
    "contact.user.tag.deleted",
    "contact.lead.created",
    "contact.lead.updated",
    "contact.lead.signed_up",
    "contact.lead.tag.created",
    "contact.lead.tag.deleted",
    "contact.archived",
    "contact.unarchived",
    "contact.deleted",
    "contact.email.updated",
    "contact.subscribed",
    "contact.unsubscribed",
    "company.created",
    "company.updated",
    "company.deleted",
    "event.created",
    "ticket.created",
    "ticket.state.updated",
    "ticket.admin.assigned",
    "ticket.note.created",
    "ticket.closed",
    "user.created",
    "user.deleted",
    "user.email.updated",
    "user.tag.created",
    "user.tag.deleted",
    "user.unsubscribed",
    "visitor.signed_up",
)

EVENT = EventSpec(
    type=("body:topic",),
    id=("body:id",),
    time=("body:created_at",),
    fields={
        "app_id": "body:app_id",
        "item_type": "body:data.item.type",
        "item_id": "body:data.item.id",
        "delivery_attempts": "body:delivery_attempts",
    },
)


class IntercomSettings(ProviderSettings):
    """Intercom endpoints take no settings: the app's client secret goes in ``secrets=``."""


def challenge(
    request: WebhookRequest, settings: IntercomSettings, secrets: Sequence[str]
) -> ChallengeResponse | None:
    """Answer the ``HEAD`` Intercom sends when the endpoint URL is saved; ``None`` otherwise."""
    if request.method != "HEAD":
        return None
    return echo_challenge("")
