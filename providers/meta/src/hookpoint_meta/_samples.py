"""Sample Meta Graph API notifications, built from Meta's published examples:

* Messenger: the ``messages``, ``message_echoes``, ``messaging_postbacks`` and ``message_reads``
  examples of the Messenger Platform "Webhook Events Reference"
  (https://developers.facebook.com/docs/messenger-platform/reference/webhook-events), in the
  ``{"object": "page", "entry": [{"id", "time", "messaging": [...]}]}`` envelope;
* Instagram: a direct message and a ``comments`` change, after "Instagram Platform Webhook
  Notification Examples" (https://developers.facebook.com/docs/instagram-platform/webhooks/
  examples);
* Pages: a ``feed`` change (a comment on a Page post), after the Page webhooks reference
  (https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed);
* the ``user``/``photos`` sample notification of "Webhooks - Getting Started"
  (https://developers.facebook.com/docs/graph-api/webhooks/getting-started), as printed there.

Meta's placeholders (``<PSID>``, ``<PAGE_ID>``, ``<IGID>``) are replaced by ids of the documented
shapes. Bodies are written byte for byte as Meta sends them: compact JSON with non-ASCII text
escaped (``\\u00e9``), which the signature covers as such.
"""

from __future__ import annotations

from hookpoint import Sample
from hookpoint.providerkit import META_HANDSHAKE_SAMPLES

__all__ = ["SAMPLES"]

_PAGE_ID = b"682498302938465"
_PSID = b"1254459154682919"
_IG_ID = b"17841405822304914"
_IGSID = b"1914016008693418"


def _page_messaging(time: bytes, item: bytes) -> bytes:
    return (
        rb'{"object":"page","entry":[{"id":"' + _PAGE_ID + rb'","time":' + time + rb","
        rb'"messaging":[' + item + rb"]}]}"
    )


def _from_psid(timestamp: bytes) -> bytes:
    return (
        rb'"sender":{"id":"' + _PSID + rb'"},"recipient":{"id":"' + _PAGE_ID + rb'"},'
        rb'"timestamp":' + timestamp
    )


MESSENGER_TEXT = _page_messaging(
    b"1458692752478",
    b"{"
    + _from_psid(b"1458692752478")
    + rb',"message":{"mid":"mid.1457764197618:41d102a3e1ae206a38",'
    rb'"text":"hello, world!","quick_reply":{"payload":"DEVELOPER_DEFINED_PAYLOAD"}}}',
)

MESSENGER_IMAGE = _page_messaging(
    b"1518479195594",
    b"{" + _from_psid(b"1518479195308") + rb',"message":{"mid":"m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5j'
    rb'dNCbT3FBqXQ5UgC6IpnP","attachments":[{"type":"image","payload":{"url":"https://scontent.x'
    rb'x.fbcdn.net/v/t1.15752-9/image.png"}}]}}',
)

MESSENGER_ECHO = _page_messaging(
    b"1457764198246",
    rb'{"sender":{"id":"' + _PAGE_ID + rb'"},"recipient":{"id":"' + _PSID + rb'"},'
    rb'"timestamp":1457764197627,"message":{"is_echo":true,"app_id":1517776481860111,'
    rb'"metadata":"DEVELOPER_DEFINED_METADATA_STRING","mid":"mid.1457764197618:41d102a3e1ae206a39",'
    rb'"text":"Gr\u00fc\u00dfe aus M\u00fcnchen"}}',
)

MESSENGER_POSTBACK = _page_messaging(
    b"1458692752478",
    b"{" + _from_psid(b"1458692752478") + rb',"postback":{"mid":"m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPp'
    rb'z5jdNCbT3FBqXQ5UgC6IpnQ","title":"Get Started","payload":"GET_STARTED_PAYLOAD"}}',
)

MESSENGER_READ = _page_messaging(
    b"1458668856463",
    b"{" + _from_psid(b"1458668856463") + rb',"read":{"watermark":1458668856253}}',
)

INSTAGRAM_MESSAGE = (
    rb'{"object":"instagram","entry":[{"id":"' + _IG_ID + rb'","time":1569262486134,'
    rb'"messaging":[{"sender":{"id":"' + _IGSID + rb'"},"recipient":{"id":"' + _IG_ID + rb'"},'
    rb'"timestamp":1569262485349,"message":{"mid":"aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxN'
    rb"DA1ODIyMzA0OTE0OjM0MDI4MjM2Njg0MTcxMDMwMTI0NDI1OTQ4OTMyNzQ5MDYyNjI1NzozMTYwMDI0NjQ2MTg3"
    rb'NjA4MjE1NDQ0ODEzMDQ1NjQ5NjI1NgZDZD","text":"Is the caf\u00e9 open on Sunday?"}}]}]}'
)

INSTAGRAM_COMMENT = (
    rb'{"object":"instagram","entry":[{"id":"' + _IG_ID + rb'","time":1716466812,'
    rb'"changes":[{"field":"comments","value":{"from":{"id":"' + _IGSID + rb'",'
    rb'"username":"sunny.travels"},"media":{"id":"18019546538161862","media_product_type":"FEED"},'
    rb'"id":"17865799348089039","text":"Love this \u2764\ufe0f \u0040bakery"}}]}]}'
)

PAGE_FEED_COMMENT = (
    rb'{"object":"page","entry":[{"id":"' + _PAGE_ID + rb'","time":1717062346,'
    rb'"changes":[{"field":"feed","value":{"from":{"id":"' + _PSID + rb'","name":"Jane Doe"},'
    rb'"post":{"status_type":"added_photos","is_published":true,'
    rb'"updated_time":"2024-05-30T09:45:45+0000","permalink_url":"https://www.facebook.com/'
    rb'682498302938465/posts/pfbid02Xq5"},"message":"What time do you open?",'
    rb'"post_id":"682498302938465_122104587890000001",'
    rb'"comment_id":"122104587890000001_1099254238212345","created_time":1717062345,'
    rb'"item":"comment","parent_id":"682498302938465_122104587890000001","verb":"add"}}]}]}'
)

USER_PHOTOS = (
    rb'{"entry":[{"time":1520383571,"changes":[{"field":"photos","value":{"verb":"update",'
    rb'"object_id":"10211885744794461"}}],"id":"10210299214172187","uid":"10210299214172187"}],'
    rb'"object":"user"}'
)

_JSON = {"Content-Type": "application/json"}

SAMPLES: tuple[Sample, ...] = tuple(
    Sample(name=name, description=description, headers=_JSON, body=body, event_type=event_type)
    for name, description, body, event_type in (
        ("messenger_text", "A Messenger text message (quick reply)", MESSENGER_TEXT,
         "page.messages"),
        ("messenger_image", "A Messenger message with an image attachment", MESSENGER_IMAGE,
         "page.messages"),
        ("messenger_echo", "The echo of a message the Page sent (escaped non-ASCII text)",
         MESSENGER_ECHO, "page.message_echoes"),
        ("messenger_postback", "The Get Started button was tapped", MESSENGER_POSTBACK,
         "page.messaging_postbacks"),
        ("messenger_read", "The person read the Page's messages up to a watermark",
         MESSENGER_READ, "page.message_reads"),
        ("instagram_message", "An Instagram direct message", INSTAGRAM_MESSAGE,
         "instagram.messages"),
        ("instagram_comment", "A comment on the Instagram account's post", INSTAGRAM_COMMENT,
         "instagram.comments"),
        ("page_feed_comment", "A comment on a Page post (feed: item comment, verb add)",
         PAGE_FEED_COMMENT, "page.feed"),
        ("user_photos", "The Getting Started sample: a user's photos changed", USER_PHOTOS,
         "user.photos"),
    )
) + META_HANDSHAKE_SAMPLES  # fmt: skip
