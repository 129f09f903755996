"""Sample SendGrid Event Webhook deliveries, shaped after SendGrid's event reference.

SendGrid signs with ECDSA (P-256, SHA-256), so a sample's ``secret`` is a **test private key**
(base64 DER PKCS#8, made for these samples) and its ``verify_secret`` the matching public key in
the form SendGrid's Mail Settings show (base64 DER SubjectPublicKeyInfo). Bodies end with
``\\r\\n`` as SendGrid's do.
"""

from __future__ import annotations

from hookpoint import Sample

__all__ = ["DELIVERY_BATCH", "SAMPLES", "TEST_PRIVATE_KEY", "TEST_PUBLIC_KEY"]

TEST_PRIVATE_KEY = (
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg4KJLczq5FvTggqxR/zncz+apanUl7MnoUARD2Qwz"
    "/8mhRANCAASygfsHEBoveFooMKaYaoKGqwv/fr/zECKjhZ8sSeeQ5YPyyQdlrPgwlhkHWBO9JFGZac1hd5MDEv1y"
    "KkFgQJnT"
)
TEST_PUBLIC_KEY = (
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEsoH7BxAaL3haKDCmmGqChqsL/36/8xAio4WfLEnnkOWD8skHZaz4"
    "MJYZB1gTvSRRmWnNYXeTAxL9cipBYECZ0w=="
)

DELIVERY_BATCH = (
    b'[{"email":"ada@example.com","timestamp":1714641165,"smtp-id":'
    b'"<14c5d75ce93.dfd.64b469@ismtpd-555>","event":"processed","category":["welcome"],'
    b'"sg_event_id":"rbtnWrG1DVDGGGFHFyun0A==","sg_message_id":'
    b'"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.000000000000000000000",'
    b'"user_id":"usr_4711"},'
    b'{"email":"ada@example.com","timestamp":1714641168,"smtp-id":'
    b'"<14c5d75ce93.dfd.64b469@ismtpd-555>","event":"delivered","category":["welcome"],'
    b'"sg_event_id":"rWVYmVk90MjZJ9iohOBa3w==","sg_message_id":'
    b'"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.000000000000000000000",'
    b'"response":"250 OK","user_id":"usr_4711"}]\r\n'
)

BOUNCE = (
    b'[{"email":"nobody@example.com","timestamp":1714641201,"smtp-id":'
    b'"<14c5d75ce93.dfd.64b470@ismtpd-555>","event":"bounce","category":["welcome"],'
    b'"sg_event_id":"6g4ZI7SA-xmRDv57GoPIPw==","sg_message_id":'
    b'"14c5d75ce93.dfd.64b470.filter0001.16648.5515E0B88.000000000000000000000",'
    b'"reason":"550 5.1.1 The email account that you tried to reach does not exist.",'
    b'"status":"5.1.1","type":"bounce","bounce_classification":"Invalid Address"}]\r\n'
)

_HEADERS = {"Content-Type": "application/json", "User-Agent": "SendGrid Event API"}

SAMPLES: tuple[Sample, ...] = (
    Sample(
        name="processed_delivered",
        description="A batch of two events for one message: processed, then delivered",
        headers=_HEADERS,
        body=DELIVERY_BATCH,
        secret=TEST_PRIVATE_KEY,
        verify_secret=TEST_PUBLIC_KEY,
    ),
    Sample(
        name="bounce",
        description="A hard bounce",
        headers=_HEADERS,
        body=BOUNCE,
        secret=TEST_PRIVATE_KEY,
        verify_secret=TEST_PUBLIC_KEY,
        event_type="bounce",
    ),
)
