"""Sample GitLab deliveries, shaped after GitLab's webhook event reference
(https://docs.gitlab.com/user/project/integrations/webhook_events/), trimmed to the fields most
jobs read. Headers are the ones GitLab sends with every delivery; the sign hook adds
``X-Gitlab-Token`` (or, with a signing token, the ``webhook-*`` signature headers).
"""

from __future__ import annotations

from hookpoint import Sample

__all__ = [
    "MERGE_REQUEST",
    "PIPELINE",
    "PUSH",
    "SAMPLES",
    "SAMPLE_SIGNING_TOKEN",
    "SAMPLE_TOKEN",
]

SAMPLE_TOKEN = "s3cr3t-token"  # noqa: S105 - the known-answer "gitlab-token" test vector
SAMPLE_SIGNING_TOKEN = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # noqa: S105 - Standard Webhooks test key

_PROJECT = (
    b'"project":{"id":15,"name":"Diaspora","description":"",'
    b'"web_url":"https://gitlab.example.com/mike/diaspora","namespace":"Mike",'
    b'"path_with_namespace":"mike/diaspora","default_branch":"main","visibility_level":0,'
    b'"git_ssh_url":"git@gitlab.example.com:mike/diaspora.git",'
    b'"git_http_url":"https://gitlab.example.com/mike/diaspora.git"}'
)
_USER = (
    b'"user":{"id":1,"name":"Administrator","username":"root",'
    b'"avatar_url":"https://www.gravatar.com/avatar/e64c7d89f26bd1972efa854d13d7dd61",'
    b'"email":"admin@example.com"}'
)

PUSH = (
    b'{"object_kind":"push","event_name":"push",'
    b'"before":"95790bf891e76fee5e1747ab589903a6a1f80f22",'
    b'"after":"da1560886d4f094c3e6c9ef40349f7d38b5d27d7","ref":"refs/heads/main",'
    b'"ref_protected":true,"checkout_sha":"da1560886d4f094c3e6c9ef40349f7d38b5d27d7",'
    b'"user_id":4,"user_name":"John Smith","user_username":"jsmith",'
    b'"user_email":"john@example.com","project_id":15,' + _PROJECT + b","
    b'"commits":[{"id":"da1560886d4f094c3e6c9ef40349f7d38b5d27d7",'
    b'"message":"fixed readme\\n","title":"fixed readme",'
    b'"timestamp":"2024-05-02T09:12:45+02:00",'
    b'"url":"https://gitlab.example.com/mike/diaspora/-/commit/'
    b'da1560886d4f094c3e6c9ef40349f7d38b5d27d7",'
    b'"author":{"name":"GitLab dev user","email":"gitlabdev@dv6700.(none)"},'
    b'"added":["CHANGELOG"],"modified":["app/controller/application.rb"],"removed":[]}],'
    b'"total_commits_count":1,"repository":{"name":"Diaspora",'
    b'"url":"git@gitlab.example.com:mike/diaspora.git","description":"",'
    b'"homepage":"https://gitlab.example.com/mike/diaspora"}}'
)

MERGE_REQUEST = (
    b'{"object_kind":"merge_request","event_type":"merge_request",' + _USER + b"," + _PROJECT + b","
    b'"object_attributes":{"id":99,"iid":1,"target_branch":"main",'
    b'"source_branch":"ms-viewport","author_id":51,"title":"MS-Viewport",'
    b'"created_at":"2024-05-02 09:12:45 UTC","updated_at":"2024-05-02 10:01:12 UTC",'
    b'"state":"opened","merge_status":"unchecked","detailed_merge_status":"checking",'
    b'"description":"Make the viewport fit \\u00e9cran sizes","draft":false,'
    b'"url":"https://gitlab.example.com/mike/diaspora/-/merge_requests/1","action":"open"},'
    b'"labels":[{"id":206,"title":"API","color":"#ffffff","type":"ProjectLabel"}],'
    b'"changes":{"updated_at":{"previous":"2024-05-02 09:12:45 UTC",'
    b'"current":"2024-05-02 10:01:12 UTC"}},'
    b'"assignees":[{"id":6,"name":"User1","username":"user1"}],"reviewers":[]}'
)

PIPELINE = (
    b'{"object_kind":"pipeline","object_attributes":{"id":31,"iid":3,"ref":"main",'
    b'"tag":false,"sha":"bcbb5ec396a2c0f828686f14fac9b80b780504f2","source":"merge_request_event",'
    b'"status":"failed","detailed_status":"failed","stages":["build","test"],'
    b'"created_at":"2024-05-02 11:20:03 UTC","finished_at":"2024-05-02 11:24:41 UTC",'
    b'"duration":278,"url":"https://gitlab.example.com/mike/diaspora/-/pipelines/31"},'
    + _USER
    + b","
    + _PROJECT
    + b","
    b'"commit":{"id":"bcbb5ec396a2c0f828686f14fac9b80b780504f2","message":"test\\n",'
    b'"timestamp":"2024-05-02T11:19:50+00:00",'
    b'"url":"https://gitlab.example.com/mike/diaspora/-/commit/'
    b'bcbb5ec396a2c0f828686f14fac9b80b780504f2"},'
    b'"builds":[{"id":380,"stage":"test","name":"rspec","status":"failed"}]}'
)


def _headers(event: str, uuid: str, idempotency_key: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "GitLab/17.6.0",
        "X-Gitlab-Event": event,
        "X-Gitlab-Instance": "https://gitlab.example.com",
        "X-Gitlab-Webhook-UUID": "0b7ee2bc-2e5b-4b9b-9b7e-60d1e0c4f4a1",
        "X-Gitlab-Event-UUID": uuid,
        "Idempotency-Key": idempotency_key,
    }


SAMPLES: tuple[Sample, ...] = (
    Sample(
        name="push",
        description="A push of one commit to main",
        headers=_headers(
            "Push Hook",
            "7c1e1e8e-1f4b-4bd8-9a30-4a3b7c1b0a01",
            "1d9d7c4a-3a70-4f0c-8c6b-2a4a1a9e7f01",
        ),
        body=PUSH,
        secret=SAMPLE_TOKEN,
        event_type="Push Hook",
    ),
    Sample(
        name="merge_request_open",
        description="A merge request was opened (times in GitLab's 'YYYY-MM-DD HH:MM:SS UTC')",
        headers=_headers(
            "Merge Request Hook",
            "2f0d6a7e-3d1c-4a55-8f7e-8b0c5d3e9a02",
            "5a8c2f1e-9b3d-4e6a-a1c7-3f2e8d9b0c02",
        ),
        body=MERGE_REQUEST,
        secret=SAMPLE_TOKEN,
        event_type="Merge Request Hook",
    ),
    Sample(
        name="pipeline_failed",
        description="A merge-request pipeline failed",
        headers=_headers(
            "Pipeline Hook",
            "9e4b1c2d-7a6f-4e3b-b5d8-1c0a2f3e4d03",
            "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e03",
        ),
        body=PIPELINE,
        secret=SAMPLE_TOKEN,
        event_type="Pipeline Hook",
    ),
    Sample(
        name="push_signing_token",
        description="A push from a webhook with a signing token (Standard Webhooks headers)",
        headers=_headers(
            "Push Hook",
            "7c1e1e8e-1f4b-4bd8-9a30-4a3b7c1b0a04",
            "1d9d7c4a-3a70-4f0c-8c6b-2a4a1a9e7f04",
        ),
        body=PUSH,
        secret=SAMPLE_SIGNING_TOKEN,
        settings={"require_signature": True},
        event_type="Push Hook",
    ),
)
