"""Bitbucket Cloud's webhook signature and event description.

Sender behaviour (https://support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/,
https://support.atlassian.com/bitbucket-cloud/docs/event-payloads/ and
https://support.atlassian.com/bitbucket-cloud/docs/troubleshoot-webhooks/):

* With a webhook secret set, ``X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>``
  (GitHub's encoding, under GitHub's *legacy* header name). A webhook without a secret sends no
  signature and is refused.
* ``X-Event-Key`` is the event type (``repo:push``, ``pullrequest:created``...),
  ``X-Hook-UUID`` names the webhook (the same on every delivery, so it cannot dedupe),
  ``X-Request-UUID`` the request and ``X-Attempt-Number`` its attempt: Bitbucket resends a
  request that got a 5xx up to two more times, listed as attempts of that one request.
* Nothing time-bound is signed and the body carries no event id or time. The dedupe id is
  therefore ``X-Request-UUID``, as GitHub's is ``X-GitHub-Delivery``: it is not signed, so a
  captured delivery replayed under a new UUID verifies and is not recognised as a duplicate
  (HTTPS keeps deliveries from being captured; the same holds for GitHub).
"""

from __future__ import annotations

from hookpoint.providerkit import EventSpec, HeaderSignature, HmacScheme, ProviderSettings

__all__ = [
    "EVENT",
    "EVENT_HEADER",
    "EVENT_TYPES",
    "REQUEST_HEADER",
    "SIGNATURE",
    "BitbucketSettings",
]

EVENT_HEADER = "X-Event-Key"
REQUEST_HEADER = "X-Request-UUID"
SIGNATURE = HeaderSignature("X-Hub-Signature", HmacScheme(prefix="sha256="))

# Bitbucket Cloud event keys (https://support.atlassian.com/bitbucket-cloud/docs/event-payloads/);
# unknown future keys are passed through.
EVENT_TYPES: tuple[str, ...] = (
    "issue:comment_created",
    "issue:created",
    "issue:updated",
    "pullrequest:approved",
    "pullrequest:changes_request_created",
    "pullrequest:changes_request_removed",
    "pullrequest:comment_created",
    "pullrequest:comment_deleted",
    "pullrequest:comment_reopened",
    "pullrequest:comment_resolved",
    "pullrequest:comment_updated",
    "pullrequest:created",
    "pullrequest:fulfilled",
    "pullrequest:push",
    "pullrequest:rejected",
    "pullrequest:unapproved",
    "pullrequest:updated",
    "repo:commit_comment_created",
    "repo:commit_status_created",
    "repo:commit_status_updated",
    "repo:created",
    "repo:deleted",
    "repo:fork",
    "repo:imported",
    "repo:push",
    "repo:transfer",
    "repo:updated",
)

# Bitbucket sends no event time, so ``time`` stays None.
EVENT = EventSpec(
    type=(f"header:{EVENT_HEADER}",),
    id=(f"header:{REQUEST_HEADER}",),
    fields={
        "hook_uuid": "header:X-Hook-UUID",
        "attempt": "header:X-Attempt-Number",
        "repository": "body:repository.full_name",
        "workspace": "body:repository.workspace.slug",
        "actor": "body:actor.display_name",
        "pullrequest_id": "body:pullrequest.id",
        "pullrequest_state": "body:pullrequest.state",
    },
)


class BitbucketSettings(ProviderSettings):
    """Bitbucket endpoints take no settings: the webhook secret goes in ``secrets=``."""
