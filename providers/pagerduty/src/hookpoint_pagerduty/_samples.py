"""Sample PagerDuty V3 deliveries, after the example payloads in PagerDuty's webhooks overview
(https://developer.pagerduty.com/docs/webhooks-overview#webhook-payload).

PagerDuty posts compact JSON with ``Content-Type: application/json``, ``X-Webhook-Id`` and
``X-Webhook-Subscription``; ``X-PagerDuty-Signature`` is added by the sign hook.
"""

from __future__ import annotations

from typing import Any

from hookpoint import Sample
from hookpoint.providerkit import compact_json

__all__ = ["SAMPLES", "SIGNING_SECRET"]

SIGNING_SECRET = "pd-wh-test-secret"  # noqa: S105 - an example secret for local testing

_AGENT = {
    "html_url": "https://acme.pagerduty.com/users/PLH1HKV",
    "id": "PLH1HKV",
    "self": "https://api.pagerduty.com/users/PLH1HKV",
    "summary": "Tenex Engineer",
    "type": "user_reference",
}
_SERVICE = {
    "html_url": "https://acme.pagerduty.com/services/PF9KMXH",
    "id": "PF9KMXH",
    "self": "https://api.pagerduty.com/services/PF9KMXH",
    "summary": "API Service",
    "type": "service_reference",
}
_POLICY = {
    "html_url": "https://acme.pagerduty.com/escalation_policies/PUS0KTE",
    "id": "PUS0KTE",
    "self": "https://api.pagerduty.com/escalation_policies/PUS0KTE",
    "summary": "Default",
    "type": "escalation_policy_reference",
}
_TEAM = {
    "html_url": "https://acme.pagerduty.com/teams/PFCVPS0",
    "id": "PFCVPS0",
    "self": "https://api.pagerduty.com/teams/PFCVPS0",
    "summary": "Engineering",
    "type": "team_reference",
}
_INCIDENT = {
    "id": "PGR0VU2",
    "type": "incident",
    "self": "https://api.pagerduty.com/incidents/PGR0VU2",
    "html_url": "https://acme.pagerduty.com/incidents/PGR0VU2",
    "number": 2,
    "status": "triggered",
    "incident_key": "d3640fbd41094207a1c11e58e46b1662",
    "created_at": "2020-04-09T15:16:27Z",
    "title": "A little bump in the road",
    "service": _SERVICE,
    "assignees": [_AGENT | {"type": "user_reference"}],
    "escalation_policy": _POLICY,
    "teams": [_TEAM],
    "priority": {
        "html_url": "https://acme.pagerduty.com/account/incident_priorities",
        "id": "PSO75BM",
        "self": "https://api.pagerduty.com/priorities/PSO75BM",
        "summary": "P1",
        "type": "priority_reference",
    },
    "urgency": "high",
    "conference_bridge": {
        "conference_number": "+1 1234123412,,987654321#",
        "conference_url": "https://example.com",
    },
    "resolve_reason": None,
}


def _sample(
    name: str, event_id: str, event_type: str, resource_type: str, data: dict[str, Any]
) -> Sample:
    event = {
        "id": event_id,
        "event_type": event_type,
        "resource_type": resource_type,
        "occurred_at": "2020-10-02T18:45:22.169Z",
        "agent": _AGENT,
        "client": {"name": "PagerDuty"},
        "data": data,
    }
    return Sample(
        name=name,
        description=f"A PagerDuty V3 {event_type} event.",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "PagerDuty-Webhook/V3.0",
            "X-Webhook-Id": f"delivery-{event_id[:8]}",
            "X-Webhook-Subscription": "PY1OZDP",
        },
        body=compact_json({"event": event}),
        secret=SIGNING_SECRET,
        event_type=event_type,
    )


SAMPLES: tuple[Sample, ...] = (
    _sample(
        "incident.triggered",
        "5ac64822-4adc-4fda-ade0-410becf0de4f",
        "incident.triggered",
        "incident",
        _INCIDENT,
    ),
    _sample(
        "incident.resolved",
        "01C2W5VXMK8N4QNZS3M2Y5ZRJE",
        "incident.resolved",
        "incident",
        _INCIDENT | {"status": "resolved"},
    ),
    _sample(
        "service.updated",
        "01C2W5WA2TQK8A2Y7CJ4B7Q0TX",
        "service.updated",
        "service",
        {
            "id": "PF9KMXH",
            "type": "service",
            "self": "https://api.pagerduty.com/services/PF9KMXH",
            "html_url": "https://acme.pagerduty.com/services/PF9KMXH",
            "name": "API Service",
            "description": "The public API",
            "status": "active",
            "escalation_policy": _POLICY,
            "teams": [_TEAM],
        },
    ),
    _sample(
        "pagey.ping",
        "01C2W5WQ0F2NNPZ3R2PZ7H6T4K",
        "pagey.ping",
        "pagey",
        {"message": "Hello from your friend Pagey!", "type": "ping"},
    ),
)
