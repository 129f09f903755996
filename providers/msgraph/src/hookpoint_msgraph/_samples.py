"""Sample Microsoft Graph requests: change notifications carrying the subscription's
``clientState`` (the endpoint's secret) and the ``validationToken`` handshake
(https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks).
"""

from __future__ import annotations

from hookpoint import Sample

__all__ = ["LIFECYCLE", "MESSAGE_CREATED", "SAMPLES", "SAMPLE_CLIENT_STATE"]

SAMPLE_CLIENT_STATE = "secretClientValue"

MESSAGE_CREATED = (
    b'{"value":[{"id":"lsgTZMr9KwAAA","subscriptionId":"a8f7b1c2-3d4e-4f5a-8b9c-0d1e2f3a4b5c",'
    b'"subscriptionExpirationDateTime":"2024-05-04T18:23:45.9356913Z",'
    b'"clientState":"secretClientValue","changeType":"created",'
    b'"resource":"Users/6b7f1e2d-0c3a-4b5e-9f8d-7a6b5c4d3e2f/Messages/AAMkAGUwNjQ4ZjIxAAA=",'
    b'"tenantId":"84bd8158-6d4d-4958-8b9f-9d6445542f95","resourceData":{'
    b'"@odata.type":"#Microsoft.Graph.Message",'
    b'"@odata.id":"Users/6b7f1e2d-0c3a-4b5e-9f8d-7a6b5c4d3e2f/Messages/AAMkAGUwNjQ4ZjIxAAA=",'
    b'"@odata.etag":"W/\\"CQAAABYAAADkrWGo7bouTKlsgTZMr9KwAAAUWRHf\\"",'
    b'"id":"AAMkAGUwNjQ4ZjIxAAA="}}]}'
)

LIFECYCLE = (
    b'{"value":[{"subscriptionId":"a8f7b1c2-3d4e-4f5a-8b9c-0d1e2f3a4b5c",'
    b'"subscriptionExpirationDateTime":"2024-05-04T18:23:45.9356913Z",'
    b'"tenantId":"84bd8158-6d4d-4958-8b9f-9d6445542f95","clientState":"secretClientValue",'
    b'"lifecycleEvent":"reauthorizationRequired"}]}'
)

_HEADERS = {"Content-Type": "application/json; charset=utf-8"}

_VALIDATION_TEXT = (
    "Validation: Testing client application reachability for subscription Request-Id: "
    "00000000-0000-0000-0000-000000000000"
)

SAMPLES: tuple[Sample, ...] = (
    Sample(
        name="message_created",
        description="A new message in a mailbox (basic notification, clientState = the secret)",
        headers=_HEADERS,
        body=MESSAGE_CREATED,
        secret=SAMPLE_CLIENT_STATE,
        event_type="created",
    ),
    Sample(
        name="reauthorization_required",
        description="A lifecycle notification: the subscription needs to be reauthorized",
        headers=_HEADERS,
        body=LIFECYCLE,
        secret=SAMPLE_CLIENT_STATE,
        event_type="reauthorizationRequired",
    ),
    Sample(
        name="validation",
        description="The validation request Graph POSTs when a subscription is created",
        method="POST",
        path_query=(
            "validationToken=Validation%3A%20Testing%20client%20application%20reachability"
            "%20for%20subscription%20Request-Id%3A%2000000000-0000-0000-0000-000000000000"
        ),
        headers={"Content-Type": "text/plain; charset=utf-8"},
        secret=SAMPLE_CLIENT_STATE,
        challenge=True,
        expect_status=200,
        expect_body=_VALIDATION_TEXT.encode(),
    ),
)
