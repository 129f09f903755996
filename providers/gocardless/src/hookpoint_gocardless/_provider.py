"""GoCardless's webhook signature and the description of its batched deliveries.

Sender behaviour: "Staying up-to-date with webhooks"
(https://developer.gocardless.com/getting-started/staying-up-to-date-with-webhooks/) and the
API reference's webhooks appendix (https://developer.gocardless.com/api-reference/#appendix-webhooks).

``Webhook-Signature`` is the lowercase hex HMAC-SHA256 of the raw body keyed with the webhook
endpoint's secret, no prefix (``gocardless_pro.webhooks.parse`` computes exactly that). Nothing
time-bound is signed, so there is no replay window; dedupe covers retries.

A delivery is a batch: ``{"events": [...], "meta": {"webhook_id": "WB..."}}`` with up to 250
events that "need not have anything in common". It is described as one event
(:data:`EVENTS`, a :class:`~hookpoint.providerkit.BatchSpec`):

* ``type``: ``"<resource_type>.<action>"`` of the first event (``payments.failed``); every
  distinct one is in ``fields["types"]`` (filter with ``{"types": [{"$includes": ...}]}``);
* ``id``: the event ids (``EV...``), sorted and comma-joined (hashed when long): a retry of the
  same webhook carries the same events and is acknowledged as a duplicate;
* ``time``: the latest event ``created_at``.

A delivery that fails verification is answered ``498 Token Invalid``, not 401
(:data:`REFUSAL_STATUS`, the provider's ``ProviderInfo.refusal_status``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hookpoint import EventInfo
from hookpoint.providerkit import BatchSpec, HeaderSignature, HmacScheme, ProviderSettings, header

if TYPE_CHECKING:
    from hookpoint import WebhookRequest

__all__ = [
    "ENVIRONMENTS",
    "EVENTS",
    "EVENT_TYPES",
    "REFUSAL_STATUS",
    "SIGNATURE",
    "SIGNATURE_HEADER",
    "GoCardlessSettings",
    "describe",
]

SIGNATURE_HEADER = "Webhook-Signature"

# GoCardless's API reference, "Appendix: Webhooks"
# (https://developer.gocardless.com/api-reference/#appendix-webhooks): "Webhooks with an invalid
# signature must return a 498 Token Invalid error." (Like any answer that is not a 2xx, it is a
# failed delivery that GoCardless retries.)
REFUSAL_STATUS = 498
SIGNATURE = HeaderSignature(SIGNATURE_HEADER, HmacScheme(algorithm="sha256", encoding="hex"))

ENVIRONMENTS: Mapping[str, str] = {
    "https://api.gocardless.com": "live",
    "https://api-sandbox.gocardless.com": "sandbox",
}
"""The ``Origin`` header GoCardless sends, by environment (API reference, webhooks appendix)."""

# "<resource_type>.<action>" of the events GoCardless documents (API reference, "Event types");
# resources and actions it adds later are described all the same.
EVENT_TYPES: tuple[str, ...] = (
    "billing_requests.created",
    "billing_requests.collect_customer_details",
    "billing_requests.collect_bank_account",
    "billing_requests.bank_authorisation_authorised",
    "billing_requests.payer_details_confirmed",
    "billing_requests.fulfilled",
    "billing_requests.cancelled",
    "billing_requests.failed",
    "billing_requests.flow_created",
    "billing_requests.flow_visited",
    "creditors.updated",
    "creditors.new_payout_currency_added",
    "instalment_schedules.created",
    "instalment_schedules.creation_failed",
    "instalment_schedules.completed",
    "instalment_schedules.cancelled",
    "mandates.created",
    "mandates.customer_approval_granted",
    "mandates.customer_approval_skipped",
    "mandates.submitted",
    "mandates.active",
    "mandates.failed",
    "mandates.cancelled",
    "mandates.transferred",
    "mandates.expired",
    "mandates.reinstated",
    "mandates.replaced",
    "mandates.consumed",
    "mandates.blocked",
    "mandates.resubmission_requested",
    "payments.created",
    "payments.customer_approval_granted",
    "payments.customer_approval_denied",
    "payments.submitted",
    "payments.confirmed",
    "payments.paid_out",
    "payments.failed",
    "payments.charged_back",
    "payments.chargeback_cancelled",
    "payments.chargeback_settled",
    "payments.late_failure_settled",
    "payments.cancelled",
    "payments.resubmission_requested",
    "payouts.paid",
    "payouts.fx_rate_confirmed",
    "payouts.tax_exchange_rates_confirmed",
    "refunds.created",
    "refunds.paid",
    "refunds.failed",
    "refunds.refund_settled",
    "refunds.funds_returned",
    "subscriptions.created",
    "subscriptions.customer_approval_granted",
    "subscriptions.customer_approval_denied",
    "subscriptions.payment_created",
    "subscriptions.amended",
    "subscriptions.paused",
    "subscriptions.resumed",
    "subscriptions.cancelled",
    "subscriptions.finished",
)


def event_type(event: Mapping[str, Any]) -> str | None:
    """``"<resource_type>.<action>"``, or None when either is missing."""
    resource, action = event.get("resource_type"), event.get("action")
    if isinstance(resource, str) and resource and isinstance(action, str) and action:
        return f"{resource}.{action}"
    return None


def resource_id(event: Mapping[str, Any]) -> Any:
    """The id of the resource an event is about: ``links`` names it after the resource type in
    the singular (``payments`` -> ``links.payment``)."""
    resource, links = event.get("resource_type"), event.get("links")
    if isinstance(resource, str) and resource.endswith("s") and isinstance(links, dict):
        return links.get(resource[:-1])
    return None


EVENTS = BatchSpec(
    type=event_type,
    id="id",
    time="created_at",
    item_fields={
        "resource_types": "resource_type",
        "actions": "action",
        "causes": "details.cause",
        "origins": "details.origin",
        "resource_ids": resource_id,
    },
    envelope={"webhook_id": "meta.webhook_id"},
)
"""How a GoCardless batch is described (module docstring)."""


class GoCardlessSettings(ProviderSettings):
    """Settings of a GoCardless endpoint (the webhook endpoint's secret goes in ``secrets=``)."""


def describe(request: WebhookRequest, settings: GoCardlessSettings) -> EventInfo:
    """The batch as one event (:data:`EVENTS`), plus ``environment`` (``live``/``sandbox``, from
    the ``Origin`` header; None when absent or unknown)."""
    origin = header(request, "Origin")
    return EVENTS.describe(
        request, extra={"environment": ENVIRONMENTS.get(origin) if origin else None}
    )
