"""Sample Typeform deliveries, shaped after Typeform's example webhook payload
(https://www.typeform.com/developers/webhooks/example-payload/). The sign hook adds
``Typeform-Signature``.
"""

from __future__ import annotations

from hookpoint import Sample

__all__ = ["FORM_RESPONSE", "PARTIAL_RESPONSE", "SAMPLES", "SAMPLE_SECRET"]

SAMPLE_SECRET = "abc123"  # noqa: S105 - the known-answer "typeform-hmac" test vector

_DEFINITION = (
    b'"definition":{"id":"lT4Z3j","title":"Customer feedback","fields":['
    b'{"id":"DlXFaesGBpoF","title":"What could we do better?","type":"long_text",'
    b'"ref":"improve","properties":{}},'
    b'{"id":"SMEUb7VJz92Q","title":"Where do you work from?","type":"multiple_choice",'
    b'"ref":"city","properties":{},"choices":[{"id":"k9","label":"Barcelona"},'
    b'{"id":"k10","label":"M\\u00fcnchen"}]},'
    b'{"id":"JwWggjAKtOkA","title":"Your email","type":"email","ref":"email","properties":{}},'
    b'{"id":"pn48RmPazVdM","title":"How likely are you to recommend us?","type":"opinion_scale",'
    b'"ref":"nps","properties":{}}],'
    b'"endings":[{"id":"dN5FLyFpCMFo","ref":"thanks","title":"Thanks!","type":"thankyou_screen"}]}'
)

FORM_RESPONSE = (
    b'{"event_id":"01HW5Q7BKJ0Z3V6X2Y9C4N8R1T","event_type":"form_response",'
    b'"form_response":{"form_id":"lT4Z3j","token":"a3a12ec67a1365927098a606107fac15",'
    b'"landed_at":"2024-05-02T09:10:02Z","submitted_at":"2024-05-02T09:12:45Z",'
    b'"hidden":{"user_id":"usr_4711"},"calculated":{"score":9},'
    b'"variables":[{"key":"score","type":"number","number":9}],' + _DEFINITION + b","
    b'"answers":['
    b'{"type":"text","text":"A dark mode, please \\u2014 and faster exports.",'
    b'"field":{"id":"DlXFaesGBpoF","type":"long_text","ref":"improve"}},'
    b'{"type":"choice","choice":{"id":"k10","label":"M\\u00fcnchen"},'
    b'"field":{"id":"SMEUb7VJz92Q","type":"multiple_choice","ref":"city"}},'
    b'{"type":"email","email":"laura@example.com",'
    b'"field":{"id":"JwWggjAKtOkA","type":"email","ref":"email"}},'
    b'{"type":"number","number":9,'
    b'"field":{"id":"pn48RmPazVdM","type":"opinion_scale","ref":"nps"}}],'
    b'"ending":{"id":"dN5FLyFpCMFo","ref":"thanks"}}}'
)

PARTIAL_RESPONSE = (
    b'{"event_id":"01HW5Q9ZQ4M2K7T1B3X8D6F0SA","event_type":"form_response_partial",'
    b'"form_response":{"form_id":"lT4Z3j","token":"9fd2b1f7c0a84e4c8e2b1d6f0a3c5e77",'
    b'"landed_at":"2024-05-02T09:20:11Z","hidden":{"user_id":"usr_4712"},'
    b'"answers":[{"type":"text","text":"Nothing, it is great",'
    b'"field":{"id":"DlXFaesGBpoF","type":"long_text","ref":"improve"}}]}}'
)

_HEADERS = {"Content-Type": "application/json", "User-Agent": "Typeform Webhooks"}

SAMPLES: tuple[Sample, ...] = (
    Sample(
        name="form_response",
        description="A completed response with text, choice, email and opinion-scale answers",
        headers=_HEADERS,
        body=FORM_RESPONSE,
        secret=SAMPLE_SECRET,
        event_type="form_response",
    ),
    Sample(
        name="form_response_partial",
        description="A partial response (forms with partial responses enabled)",
        headers=_HEADERS,
        body=PARTIAL_RESPONSE,
        secret=SAMPLE_SECRET,
        event_type="form_response_partial",
    ),
)
