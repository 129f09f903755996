"""Sample X (Twitter) Account Activity requests: activity deliveries (the sign hook adds
``x-twitter-webhooks-signature``) and the CRC check
(https://docs.x.com/x-api/webhooks/quickstart).
"""

from __future__ import annotations

from hookpoint import Sample

__all__ = ["DIRECT_MESSAGE", "SAMPLES", "SAMPLE_CONSUMER_SECRET", "TWEET_CREATE"]

# The known-answer "x-crc"/"x-post" vectors (values from a Twitter developer-relations sample).
SAMPLE_CONSUMER_SECRET = "z3ZX4v7mAAUGykl3EcmkqbartmuW8VFOOzCloLx9Q45P0hLrFu"  # noqa: S105

TWEET_CREATE = (
    b'{"for_user_id":"2244994945","tweet_create_events":[{"created_at":'
    b'"Thu May 02 09:12:45 +0000 2024","id":1785968040123456789,'
    b'"id_str":"1785968040123456789","text":"@XDevelopers caf\\u00e9 meetup tonight?",'
    b'"in_reply_to_user_id_str":"2244994945","user":{"id":3001969357,'
    b'"id_str":"3001969357","name":"Jordan Brinks","screen_name":"furiouscamper"},'
    b'"entities":{"user_mentions":[{"screen_name":"XDevelopers","id_str":"2244994945"}]}}]}'
)

DIRECT_MESSAGE = (
    b'{"for_user_id":"2244994945","direct_message_events":[{"type":"message_create",'
    b'"id":"1785970000000000001","created_timestamp":"1714641165000",'
    b'"message_create":{"target":{"recipient_id":"2244994945"},"sender_id":"3001969357",'
    b'"message_data":{"text":"Hello World!","entities":{"hashtags":[],"symbols":[],'
    b'"user_mentions":[],"urls":[]}}}}],'
    b'"users":{"3001969357":{"id":"3001969357","name":"Jordan Brinks",'
    b'"screen_name":"furiouscamper"}}}'
)

_HEADERS = {"Content-Type": "application/json; charset=utf-8"}

SAMPLES: tuple[Sample, ...] = (
    Sample(
        name="tweet_create",
        description="A user mentioned the subscribed account",
        headers=_HEADERS,
        body=TWEET_CREATE,
        secret=SAMPLE_CONSUMER_SECRET,
        event_type="tweet_create_events",
    ),
    Sample(
        name="direct_message",
        description="A direct message to the subscribed account",
        headers=_HEADERS,
        body=DIRECT_MESSAGE,
        secret=SAMPLE_CONSUMER_SECRET,
        event_type="direct_message_events",
    ),
    Sample(
        name="crc",
        description="The CRC check X sends on registration and periodically",
        method="GET",
        path_query="crc_token=9b4507b3-9040-4669-9ca3-6b94edb50553",
        secret=SAMPLE_CONSUMER_SECRET,
        challenge=True,
        expect_status=200,
        expect_body=b'{"response_token":"sha256=Cytd4Sq+NvEcV3MMrXxWJGJx5A+y/lXzzU2Maartkx8="}',
    ),
)
