"""WorkOS's webhook signature and event description.

https://workos.com/docs/events/data-syncing/webhooks and workos-python's
``client.webhooks.verify_event``: ``WorkOS-Signature: t=<Unix milliseconds>, v1=<hex>`` where
``v1`` is the lowercase hex HMAC-SHA256 of ``"{t}.{raw body}"`` keyed with the endpoint's
webhook secret. workos-python refuses a timestamp more than 180 s away from its clock, in
either direction; so does this plugin by default (setting ``tolerance``, in seconds).
"""

from __future__ import annotations

from hookpoint.providerkit import (
    EventSpec,
    PairHeaderSignature,
    ProviderSettings,
    SignedTemplate,
    tolerance_field,
)

__all__ = ["DEFAULT_TOLERANCE", "EVENT", "EVENT_TYPES", "SIGNATURE", "WorkOSSettings"]

DEFAULT_TOLERANCE = 180

SIGNATURE = PairHeaderSignature(
    "WorkOS-Signature",
    SignedTemplate("{timestamp}.{body}", unit="ms"),
    sign_sep=", ",  # what WorkOS sends, and the only form workos-python parses
    tolerance=DEFAULT_TOLERANCE,
)

# Every event is {"object": "event", "id": "event_…", "event": <type>, "data": {the resource},
# "created_at": ISO-8601, "context": {…}?}.
EVENT = EventSpec(
    type=("body:event",),
    id=("body:id",),
    time=("body:created_at",),
    fields={
        "object": "body:data.object",
        "object_id": "body:data.id",
        "organization_id": "body:data.organization_id",
        "directory_id": "body:data.directory_id",
        "user_id": "body:data.user_id",
        "email": "body:data.email",
        "state": "body:data.state",
    },
)

# https://workos.com/docs/events (the main groups; unknown ones pass through).
EVENT_TYPES: tuple[str, ...] = (
    "authentication.email_verification_succeeded",
    "authentication.email_verification_failed",
    "authentication.magic_auth_succeeded",
    "authentication.magic_auth_failed",
    "authentication.mfa_succeeded",
    "authentication.mfa_failed",
    "authentication.oauth_succeeded",
    "authentication.oauth_failed",
    "authentication.passkey_succeeded",
    "authentication.passkey_failed",
    "authentication.password_succeeded",
    "authentication.password_failed",
    "authentication.sso_succeeded",
    "authentication.sso_failed",
    "authentication.radar_risk_detected",
    "connection.activated",
    "connection.deactivated",
    "connection.deleted",
    "connection.saml_certificate_renewal_required",
    "connection.saml_certificate_renewed",
    "dsync.activated",
    "dsync.deleted",
    "dsync.group.created",
    "dsync.group.updated",
    "dsync.group.deleted",
    "dsync.group.user_added",
    "dsync.group.user_removed",
    "dsync.user.created",
    "dsync.user.updated",
    "dsync.user.deleted",
    "email_verification.created",
    "invitation.created",
    "invitation.accepted",
    "invitation.revoked",
    "invitation.resent",
    "magic_auth.created",
    "organization.created",
    "organization.updated",
    "organization.deleted",
    "organization_domain.created",
    "organization_domain.updated",
    "organization_domain.deleted",
    "organization_domain.verified",
    "organization_domain.verification_failed",
    "organization_membership.created",
    "organization_membership.updated",
    "organization_membership.deleted",
    "organization_role.created",
    "organization_role.updated",
    "organization_role.deleted",
    "password_reset.created",
    "password_reset.succeeded",
    "role.created",
    "role.updated",
    "role.deleted",
    "session.created",
    "session.revoked",
    "user.created",
    "user.updated",
    "user.deleted",
)


class WorkOSSettings(ProviderSettings):
    """Settings of a WorkOS endpoint (the webhook secret goes in ``secrets=``)."""

    tolerance: float = tolerance_field(DEFAULT_TOLERANCE)
