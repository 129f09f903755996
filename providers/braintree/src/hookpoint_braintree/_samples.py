"""Sample Braintree notifications: the XML the ``braintree`` SDK's
``webhook_testing.sample_notification`` builds for these kinds (at a fixed time), base64-encoded
the way Braintree sends ``bt_payload``, unsigned (the sign hook adds ``bt_signature``), and the
``bt_challenge`` handshake of https://developer.paypal.com/braintree/docs/guides/webhooks/create.
"""

from __future__ import annotations

import base64
from urllib.parse import urlencode

from hookpoint import Sample

from ._provider import challenge_answer

__all__ = ["API_KEYS", "SAMPLES", "notification_xml"]

API_KEYS = "integration_public_key:integration_private_key"
"""A sample key pair, written as endpoints take it: ``"<public key>:<private key>"``."""

_SUBJECTS = {
    "subscription_went_past_due": """
            <subscription>
                <id>sub_9x7k2</id>
                <transactions type="array"></transactions>
                <add_ons type="array"></add_ons>
                <discounts type="array"></discounts>
            </subscription>""",
    "transaction_settled": """
            <transaction>
              <id>txn_4f8b1c</id>
              <status>settled</status>
              <type>sale</type>
              <currency-iso-code>USD</currency-iso-code>
              <amount>100.00</amount>
              <merchant-account-id>ogaotkivejpfayqfeaimuktty</merchant-account-id>
              <payment-instrument-type>us_bank_account</payment-instrument-type>
              <us-bank-account>
                <routing-number>123456789</routing-number>
                <last-4>1234</last-4>
                <account-type>checking</account-type>
                <account-holder-name>Dan Schulman</account-holder-name>
              </us-bank-account>
              <tax-amount>0</tax-amount>
            </transaction>""",
    "dispute_opened": """
        <dispute>
          <id>dp_2k9m</id>
          <amount>100.00</amount>
          <amount-disputed>100.00</amount-disputed>
          <amount-won>95.00</amount-won>
          <case-number>CASE-12345</case-number>
          <created-at type="datetime">2017-06-16T20:44:41Z</created-at>
          <currency-iso-code>USD</currency-iso-code>
          <forwarded-comments nil="true"/>
          <kind>chargeback</kind>
          <merchant-account-id>ytnlulaloidoqwvzxjrdqputg</merchant-account-id>
          <reason>fraud</reason>
          <reason-code nil="true"/>
          <received-date type="date">2016-02-15</received-date>
          <reference-number>REF-9876</reference-number>
          <reply-by-date type="date">2016-02-22</reply-by-date>
          <status>open</status>
          <updated-at type="datetime">2017-06-16T20:44:41Z</updated-at>
          <status-history type="array">
            <status-history>
              <status>open</status>
              <timestamp type="datetime">2017-06-16T20:44:41Z</timestamp>
            </status-history>
          </status-history>
          <evidence type="array"/>
          <transaction>
            <id>txn_4f8b1c</id>
            <amount>100.00</amount>
            <created-at>2017-06-21T20:44:41Z</created-at>
          </transaction>
          <date-opened type="date">2014-03-28</date-opened>
        </dispute>""",
    "check": """
            <check type="boolean">
              true
            </check>""",
}


def notification_xml(kind: str, timestamp: str = "2026-01-15T12:00:00Z") -> str:
    """The sample XML of ``kind`` (one of the samples' kinds), as the SDK lays it out."""
    return f"""
            <notification>
                <timestamp type="datetime">{timestamp}</timestamp>
                <kind>{kind}</kind>
                <subject>{_SUBJECTS[kind]}
                </subject>
            </notification>
        """


def _body(kind: str) -> bytes:
    payload = base64.encodebytes(notification_xml(kind).encode("utf-8")).decode("ascii")
    return urlencode({"bt_payload": payload}).encode("ascii")


_FORM = {"Content-Type": "application/x-www-form-urlencoded"}
_CHALLENGE = "38b2a3f5ed4c1d9bea08"

SAMPLES: tuple[Sample, ...] = (
    *(
        Sample(
            name=kind,
            description=f"{kind} (the braintree SDK's sample notification)",
            headers=_FORM,
            body=_body(kind),
            secret=API_KEYS,
            event_type=kind,
        )
        for kind in _SUBJECTS
    ),
    Sample(
        name="bt_challenge",
        challenge=True,
        method="GET",
        path_query=f"bt_challenge={_CHALLENGE}",
        secret=API_KEYS,
        expect_body=challenge_answer(_CHALLENGE, API_KEYS).encode("ascii"),
        description="Braintree's check of a new webhook URL: answered public_key|HMAC",
    ),
)
