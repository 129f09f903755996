"""Sample Intercom notifications, shaped after Intercom's webhook models and topic reference
(https://developers.intercom.com/docs/references/webhooks/webhook-models). The sign hook adds
``X-Hub-Signature``.
"""

from __future__ import annotations

from hookpoint import Sample

__all__ = ["CONVERSATION_CREATED", "PING", "SAMPLES", "SAMPLE_SECRET"]

SAMPLE_SECRET = "intercom_client_secret"  # noqa: S105 - the known-answer "intercom-sha1" vector

CONVERSATION_CREATED = (
    b'{"type":"notification_event","app_id":"ecahpwf5","data":{"type":"notification_event_data",'
    b'"item":{"type":"conversation","id":"147","created_at":1714641165,"updated_at":1714641165,'
    b'"title":null,"state":"open","open":true,"read":false,"priority":"not_priority",'
    b'"source":{"type":"conversation","id":"403918240","delivered_as":"customer_initiated",'
    b'"subject":"","body":"<p>Hi! Where can I change my billing address?</p>",'
    b'"author":{"type":"user","id":"6633b40f6abd0fe1b5d8e0c1","name":"Jos\\u00e9 Ram\\u00edrez",'
    b'"email":"jose@example.com"}},'
    b'"contacts":{"type":"contact.list","contacts":[{"type":"contact",'
    b'"id":"6633b40f6abd0fe1b5d8e0c1","external_id":"usr_4711"}]},'
    b'"admin_assignee_id":null,"team_assignee_id":null}},'
    b'"links":{},"id":"notif_6f6c2a3e-9d5b-4a2e-8a5f-0c3b1d2e4f5a",'
    b'"topic":"conversation.user.created","delivery_status":"pending","delivery_attempts":1,'
    b'"delivered_at":0,"first_sent_at":1714641166,"created_at":1714641166,"self":null}'
)

PING = (
    b'{"type":"notification_event","app_id":"ecahpwf5","data":{"type":"notification_event_data",'
    b'"item":{"type":"ping","message":"something something interzen"}},"links":{},'
    b'"id":"notif_ping_0b1c2d3e","topic":"ping","delivery_status":null,"delivery_attempts":1,'
    b'"delivered_at":0,"first_sent_at":1714641000,"created_at":1714641000,"self":null}'
)

CONTACT_TAGGED = (
    b'{"type":"notification_event","app_id":"ecahpwf5","data":{"type":"notification_event_data",'
    b'"item":{"type":"contact_tag","created_at":1714642000,"tag":{"type":"tag","id":"81",'
    b'"name":"VIP"},"contact":{"type":"contact","id":"6633b40f6abd0fe1b5d8e0c1",'
    b'"role":"user","email":"jose@example.com"}}},"links":{},'
    b'"id":"notif_1f2e3d4c-5b6a-4789-9abc-def012345678","topic":"contact.user.tag.created",'
    b'"delivery_status":"pending","delivery_attempts":1,"delivered_at":0,'
    b'"first_sent_at":1714642001,"created_at":1714642001,"self":null}'
)

_HEADERS = {"Content-Type": "application/json", "User-Agent": "intercom-parrot-service-client/1.0"}

SAMPLES: tuple[Sample, ...] = (
    Sample(
        name="conversation_user_created",
        description="A customer started a conversation",
        headers=_HEADERS,
        body=CONVERSATION_CREATED,
        secret=SAMPLE_SECRET,
        event_type="conversation.user.created",
    ),
    Sample(
        name="contact_user_tag_created",
        description="A user was tagged",
        headers=_HEADERS,
        body=CONTACT_TAGGED,
        secret=SAMPLE_SECRET,
        event_type="contact.user.tag.created",
    ),
    Sample(
        name="ping",
        description="The ping Intercom sends when the webhook is configured (answer 2xx)",
        headers=_HEADERS,
        body=PING,
        secret=SAMPLE_SECRET,
        event_type="ping",
    ),
    Sample(
        name="url_check",
        description="The unsigned HEAD Intercom sends when the endpoint URL is saved",
        method="HEAD",
        secret=SAMPLE_SECRET,
        challenge=True,
        expect_status=200,
        expect_body=b"",
    ),
)
