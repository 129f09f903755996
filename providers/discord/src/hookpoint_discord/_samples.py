"""Sample Discord requests, shaped after Discord's interaction and webhook-event references.

Discord signs with Ed25519, so a sample's ``secret`` is a **test private key** (the RFC 8032
§7.1 TEST 1 seed, hex) and its ``verify_secret`` the matching public key: the endpoint is
configured with the public key, exactly as the Developer Portal shows it.
"""

from __future__ import annotations

from hookpoint import Sample

__all__ = [
    "APPLICATION_COMMAND",
    "PING",
    "SAMPLES",
    "TEST_PRIVATE_KEY",
    "TEST_PUBLIC_KEY",
]

TEST_PRIVATE_KEY = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
TEST_PUBLIC_KEY = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"

# The known-answer "discord-ping" vector body (signed at 1700000000 by the RFC 8032 key).
PING = b'{"type":1,"id":"1","application_id":"2","token":"t","version":1}'

APPLICATION_COMMAND = (
    b'{"app_permissions":"562949953601536","application_id":"1213142125567172608",'
    b'"authorizing_integration_owners":{"0":"1105124425558396989"},'
    b'"channel_id":"1105124426061713510","context":0,'
    b'"data":{"id":"1213144392974110770","name":"weather","type":1,'
    b'"options":[{"name":"city","type":3,"value":"M\\u00fcnchen"}]},'
    b'"entitlements":[],"guild_id":"1105124425558396989","guild_locale":"en-US",'
    b'"id":"1235561286034227200","locale":"de",'
    b'"member":{"avatar":null,"flags":0,"joined_at":"2023-05-07T14:51:17.160000+00:00",'
    b'"nick":null,"permissions":"2251799813685247","roles":[],'
    b'"user":{"avatar":null,"discriminator":"0","global_name":"Ada","id":"246080946385469441",'
    b'"username":"ada"}},'
    b'"token":"aW50ZXJhY3Rpb246MTIzNTU2MTI4NjAzNDIyNzIwMDpzYW1wbGVfdG9rZW4",'
    b'"type":2,"version":1}'
)

MESSAGE_COMPONENT = (
    b'{"application_id":"1213142125567172608","channel_id":"1105124426061713510",'
    b'"data":{"component_type":2,"custom_id":"approve:4711"},'
    b'"guild_id":"1105124425558396989","id":"1235561999999999999",'
    b'"member":{"roles":[],"user":{"id":"246080946385469441","username":"ada"}},'
    b'"message":{"id":"1235561500000000000","content":"Approve deploy #4711?"},'
    b'"token":"aW50ZXJhY3Rpb246MTIzNTU2MTk5OTk5OTk5OTk5OTpzYW1wbGU","type":3,"version":1}'
)

APPLICATION_AUTHORIZED = (
    b'{"version":1,"application_id":"1213142125567172608","type":1,'
    b'"event":{"type":"APPLICATION_AUTHORIZED","timestamp":"2024-05-02T09:12:45.123000",'
    b'"data":{"integration_type":1,"scopes":["applications.commands"],'
    b'"user":{"id":"246080946385469441","username":"ada","global_name":"Ada"}}}}'
)

_HEADERS = {"Content-Type": "application/json", "User-Agent": "Discord-Interactions/1.0"}

SAMPLES: tuple[Sample, ...] = (
    Sample(
        name="application_command",
        description="A slash command (/weather city:München) in a guild",
        headers=_HEADERS,
        body=APPLICATION_COMMAND,
        secret=TEST_PRIVATE_KEY,
        verify_secret=TEST_PUBLIC_KEY,
        event_type="APPLICATION_COMMAND",
    ),
    Sample(
        name="message_component",
        description="A button press on a message the app sent",
        headers=_HEADERS,
        body=MESSAGE_COMPONENT,
        secret=TEST_PRIVATE_KEY,
        verify_secret=TEST_PUBLIC_KEY,
        event_type="MESSAGE_COMPONENT",
    ),
    Sample(
        name="application_authorized",
        description="Webhook Events URL: a user installed the app",
        headers=_HEADERS,
        body=APPLICATION_AUTHORIZED,
        secret=TEST_PRIVATE_KEY,
        verify_secret=TEST_PUBLIC_KEY,
        event_type="APPLICATION_AUTHORIZED",
    ),
    Sample(
        name="ping_bad_signature",
        description=(
            "Discord's security check: a PING with an invalid signature must be refused (401), "
            "never answered with a PONG"
        ),
        headers={
            **_HEADERS,
            "X-Signature-Timestamp": "1700000000",
            "X-Signature-Ed25519": "00" * 64,
        },
        body=PING,
        secret=TEST_PRIVATE_KEY,
        verify_secret=TEST_PUBLIC_KEY,
        challenge=True,
        expect_status=401,
    ),
)
