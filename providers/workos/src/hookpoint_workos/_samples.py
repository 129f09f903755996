"""Sample WorkOS deliveries after the event examples in WorkOS's events reference
(https://workos.com/docs/events), personal data replaced. WorkOS posts compact JSON; the sign
hook adds ``WorkOS-Signature``. workos-python's own event models parse every sample (its
tests check that).
"""

from __future__ import annotations

from typing import Any

from hookpoint import Sample
from hookpoint.providerkit import compact_json

__all__ = ["SAMPLES", "WEBHOOK_SECRET"]

WEBHOOK_SECRET = "workos-webhook-secret"  # noqa: S105 - the samples' test secret

_ORG = "org_01EHZNVPK3SFK441A1RGBFSHRT"
_DIRECTORY = "directory_01ECAZ4NV9QMV47GW873HDCX74"
_CREATED = "2023-11-18T04:18:13.126Z"


def _event(name: str, event_id: str, kind: str, data: dict[str, Any]) -> Sample:
    body = {
        "object": "event",
        "id": event_id,
        "event": kind,
        "data": data,
        "created_at": _CREATED,
    }
    return Sample(
        name=name,
        description=f"{kind} ({data.get('object', 'event data')})",
        headers={"Content-Type": "application/json", "User-Agent": "WorkOS"},
        body=compact_json(body),
        secret=WEBHOOK_SECRET,
        event_type=kind,
    )


_DIRECTORY_USER: dict[str, Any] = {
    "object": "directory_user",
    "id": "directory_user_01E1X1B89NH8Z3SDFJR4H7RGX7",
    "directory_id": _DIRECTORY,
    "organization_id": _ORG,
    "idp_id": "8931",
    "email": "veda@example.com",
    "first_name": "Veda",
    "last_name": "Torp",
    "emails": [{"primary": True, "type": "work", "value": "veda@example.com"}],
    "job_title": "Software Engineer",
    "username": "veda@example.com",
    "state": "active",
    "role": {"slug": "member"},
    "custom_attributes": {"department": "Engineering"},
    "raw_attributes": {},
    "created_at": "2021-06-25T19:07:33.155Z",
    "updated_at": "2021-06-25T19:07:33.155Z",
}

SAMPLES: tuple[Sample, ...] = (
    _event(
        "user.created",
        "event_01HFG8ZGK61W8E9VEA0BFRJ2AP",
        "user.created",
        {
            "object": "user",
            "id": "user_01E4ZCR3C56J083X43JQXF3JK5",
            "email": "marcelina.davis@example.com",
            "email_verified": True,
            "first_name": "Marcelina",
            "last_name": "Davis",
            "profile_picture_url": None,
            "external_id": None,
            "last_sign_in_at": None,
            "metadata": {},
            "created_at": "2023-11-18T04:18:13.120Z",
            "updated_at": "2023-11-18T04:18:13.120Z",
        },
    ),
    _event(
        "dsync.user.created",
        "event_01E1JJYYVCPQNV6SE1M4H3MXXY",
        "dsync.user.created",
        _DIRECTORY_USER,
    ),
    _event(
        "dsync.group.user_added",
        "event_01E1JG7J09H96KYP8HM9B0G5SJ",
        "dsync.group.user_added",
        {
            "directory_id": _DIRECTORY,
            "user": _DIRECTORY_USER,
            "group": {
                "object": "directory_group",
                "id": "directory_group_01E1X5GPMMXF4T1DCERMVEEPVW",
                "idp_id": "02grqrue4294w24",
                "directory_id": _DIRECTORY,
                "organization_id": _ORG,
                "name": "Developers",
                "created_at": "2021-06-25T19:07:33.155Z",
                "updated_at": "2021-06-25T19:07:33.155Z",
                "raw_attributes": {},
            },
        },
    ),
    _event(
        "connection.activated",
        "event_01F9P41YBKSNQW8Q8RKHAYXB7H",
        "connection.activated",
        {
            "object": "connection",
            "id": "conn_01EHWNC0FCBHZ3BJ7EGKYXK0E6",
            "organization_id": _ORG,
            "state": "active",
            "status": "linked",
            "connection_type": "OktaSAML",
            "name": "Foo Corp",
            "external_key": "3QMR4u0Tok6SgwY2AWG6u6mkQ",
            "domains": [
                {
                    "object": "connection_domain",
                    "id": "conn_domain_01EHWNFTAFCF3CQAE5A9Q0P1YB",
                    "domain": "foo-corp.com",
                }
            ],
            "created_at": "2021-06-25T19:07:33.155Z",
            "updated_at": "2021-06-25T19:08:33.155Z",
        },
    ),
    _event(
        "organization_membership.created",
        "event_01HFG9A9K6P2AW3SRC6X8V1HVE",
        "organization_membership.created",
        {
            "object": "organization_membership",
            "id": "om_01E4ZCR3C56J083X43JQXF3JK5",
            "user_id": "user_01E4ZCR3C56J083X43JQXF3JK5",
            "organization_id": _ORG,
            "status": "active",
            "role": {"slug": "member"},
            "custom_attributes": {},
            "directory_managed": False,
            "created_at": "2023-11-18T04:19:00.000Z",
            "updated_at": "2023-11-18T04:19:00.000Z",
        },
    ),
)
