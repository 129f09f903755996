"""register_webhook: cal.com API v2 ``POST /v2/webhooks``, tested with httpx.MockTransport."""

from __future__ import annotations

import json

import httpx
import pytest

from hookpoint_caldotcom import register_webhook


def recording_client(seen: list[httpx.Request], status: int = 201) -> httpx.AsyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if status >= 400:
            return httpx.Response(
                status, json={"status": "error", "error": {"message": "Invalid key"}}
            )
        return httpx.Response(
            status,
            json={"status": "success", "data": {"id": "wh_1", **json.loads(request.content)}},
        )

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


async def test_register_webhook_posts_the_subscription() -> None:
    seen: list[httpx.Request] = []
    async with recording_client(seen) as client:
        created = await register_webhook(
            client,
            api_key="cal_live_x",
            subscriber_url="https://hooks.example.com/webhooks/cal",
            triggers=["BOOKING_CREATED", "BOOKING_CANCELLED"],
            secret="s3cret",
        )
    (request,) = seen
    assert request.method == "POST"
    assert str(request.url) == "https://api.cal.com/v2/webhooks"
    assert request.headers["authorization"] == "Bearer cal_live_x"
    assert json.loads(request.content) == {
        "active": True,
        "subscriberUrl": "https://hooks.example.com/webhooks/cal",
        "triggers": ["BOOKING_CREATED", "BOOKING_CANCELLED"],
        "secret": "s3cret",
    }
    assert created["id"] == "wh_1" and created["secret"] == "s3cret"


async def test_register_webhook_self_hosted_template_and_no_secret() -> None:
    seen: list[httpx.Request] = []
    async with recording_client(seen) as client:
        await register_webhook(
            client,
            api_key="k",
            subscriber_url="https://h/x",
            triggers=["MEETING_ENDED"],
            secret=None,
            active=False,
            payload_template='{"t":"{{triggerEvent}}"}',
            api_url="https://cal.internal/api/",
        )
    body = json.loads(seen[0].content)
    assert str(seen[0].url) == "https://cal.internal/api/v2/webhooks"
    assert "secret" not in body and body["active"] is False
    assert body["payloadTemplate"] == '{"t":"{{triggerEvent}}"}'


async def test_register_webhook_errors_do_not_leak_the_key() -> None:
    seen: list[httpx.Request] = []
    async with recording_client(seen, status=401) as client:
        with pytest.raises(httpx.HTTPStatusError) as info:
            await register_webhook(
                client, api_key="cal_live_secretkey", subscriber_url="u", triggers=[], secret=None
            )
    assert info.value.response.status_code == 401
    assert "Invalid key" in info.value.response.text
    assert "cal_live_secretkey" not in str(info.value)
