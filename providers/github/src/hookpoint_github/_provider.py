"""GitHub's signature scheme and event description.

``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>``; GitHub also sends the
legacy ``X-Hub-Signature: sha1=<hex>``, which is produced by :func:`sign` (so signed samples look
like GitHub's) but never trusted by the verification. Nothing time-bound is signed; GitHub keeps
``X-GitHub-Delivery`` on a redelivery, so it is the dedupe id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookpoint.providerkit import EventSpec, HeaderSignature, HmacScheme, ProviderSettings

if TYPE_CHECKING:
    from hookpoint import EventInfo, WebhookRequest

__all__ = [
    "DELIVERY_HEADER",
    "EVENT",
    "EVENT_HEADER",
    "EVENT_TYPES",
    "LEGACY_SIGNATURE",
    "SIGNATURE",
    "GitHubSettings",
    "describe",
    "sign",
]

# X-GitHub-Event values (https://docs.github.com/en/webhooks/webhook-events-and-payloads);
# unknown future events are passed through.
EVENT_TYPES: tuple[str, ...] = (
    "branch_protection_configuration",
    "branch_protection_rule",
    "check_run",
    "check_suite",
    "code_scanning_alert",
    "commit_comment",
    "create",
    "custom_property",
    "custom_property_values",
    "delete",
    "dependabot_alert",
    "deploy_key",
    "deployment",
    "deployment_protection_rule",
    "deployment_review",
    "deployment_status",
    "discussion",
    "discussion_comment",
    "fork",
    "github_app_authorization",
    "gollum",
    "installation",
    "installation_repositories",
    "installation_target",
    "issue_comment",
    "issues",
    "label",
    "marketplace_purchase",
    "member",
    "membership",
    "merge_group",
    "meta",
    "milestone",
    "org_block",
    "organization",
    "package",
    "page_build",
    "personal_access_token_request",
    "ping",
    "project",
    "project_card",
    "project_column",
    "projects_v2",
    "projects_v2_item",
    "public",
    "pull_request",
    "pull_request_review",
    "pull_request_review_comment",
    "pull_request_review_thread",
    "push",
    "registry_package",
    "release",
    "repository",
    "repository_advisory",
    "repository_dispatch",
    "repository_import",
    "repository_ruleset",
    "repository_vulnerability_alert",
    "secret_scanning_alert",
    "secret_scanning_alert_location",
    "security_advisory",
    "security_and_analysis",
    "sponsorship",
    "star",
    "status",
    "sub_issues",
    "team",
    "team_add",
    "watch",
    "workflow_dispatch",
    "workflow_job",
    "workflow_run",
)
EVENT_HEADER = "X-GitHub-Event"
DELIVERY_HEADER = "X-GitHub-Delivery"
SIGNATURE = HeaderSignature("X-Hub-Signature-256", HmacScheme(prefix="sha256="))
LEGACY_SIGNATURE = HeaderSignature("X-Hub-Signature", HmacScheme("sha1", prefix="sha1="))

# GitHub sends no delivery time, so ``time`` stays None.
EVENT = EventSpec(
    type=(f"header:{EVENT_HEADER}",),
    id=(f"header:{DELIVERY_HEADER}",),
    fields={
        "action": "body:action",
        "hook_id": "header:X-GitHub-Hook-ID",
        "target_type": "header:X-GitHub-Hook-Installation-Target-Type",
        "repository": "body:repository.full_name",
        "organization": "body:organization.login",
        "sender": "body:sender.login",
        "installation_id": "body:installation.id",
    },
)


class GitHubSettings(ProviderSettings):
    """GitHub endpoints take no settings: the webhook secret goes in ``secrets=``."""


def sign(
    request: WebhookRequest, settings: GitHubSettings, secret: str, now: float
) -> WebhookRequest:
    """Both headers GitHub sends: the legacy SHA-1 one too, though it is never verified."""
    return SIGNATURE.sign(LEGACY_SIGNATURE.sign(request, secret), secret)


def describe(request: WebhookRequest, settings: GitHubSettings) -> EventInfo:
    """``type`` = ``X-GitHub-Event``; ``id`` = ``X-GitHub-Hook-ID:X-GitHub-Delivery``: the
    delivery GUID identifies the *event*, and GitHub sends the same GUID to every webhook and
    App it concerns, with different payloads (a repository hook and an App on one endpoint, two
    Apps); the hook id tells them apart and, like the GUID, stays the same on a redelivery."""
    info = EVENT.describe(request)
    hook = info.fields.get("hook_id")
    if hook and info.id and not info.id.startswith("sha256:"):
        return info.model_copy(update={"id": f"{hook}:{info.id}"})
    return info
