"""Alerts (docs/alerts.md), end to end: real hosts (``HookpointServer`` in-process, its worker,
its alert checks) on SQLite and PostgreSQL, notifying a real HTTP receiver on loopback.

What a user relies on: a job whose runs die sends ONE alert per window (verified with the
``standardwebhooks`` library, as a receiver would), however many hosts share the store and
however many runs die; it resolves when the job stops dying; an endpoint rejecting a flood, a
queue falling behind and the store going away alert and resolve; Slack gets Slack's format; a
receiver that is down or hangs changes nothing for senders and jobs; a third-party plugin's
``hookpoint_notify`` hears every alert.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook

from hookpoint import Alert, Hookpoint, Notification, WebhookRequest, hookimpl
from hookpoint._alerts import duration, next_mark
from hookpoint._runtime import Runtime
from hookpoint._secrets import mask_url_path
from hookpoint._server import HookpointServer
from hookpoint._settings import Settings
from hookpoint.default_plugins.alert_slack import slack_message
from hookpoint.store import AlertMark, RunQuery

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
try:
    from alert_receiver import Receiver
    from tcp_proxy import TcpProxy
finally:
    sys.path.remove(str(HERE))

SECRET = "whsec_" + base64.b64encode(b"alert-signing-key-for-the-tests!").decode()
HMAC_SECRET = "signed-endpoint-secret-0123456789"


def make_app(*, plugins: tuple[object, ...] = (), env: dict[str, str] | None = None) -> Hookpoint:
    """``flaky``: its one job always raises (2 fast attempts). ``good``: its job succeeds.
    ``signed``: HMAC-verified (bad signatures are rejected)."""
    hp = Hookpoint(id="alerting", plugins=plugins, load_entrypoints=False, env=env)
    flaky = hp.define_http_endpoint(id="flaky", source="test", verify="none")
    good = hp.define_http_endpoint(id="good", source="test", verify="none")
    signed = hp.define_http_endpoint(
        id="signed",
        source="test",
        provider="hmac",
        secrets=[HMAC_SECRET],
        settings={"header_name": "X-Signature", "algorithm": "sha256"},
    )

    @hp.job(
        id="always-fails",
        trigger=flaky.on_request(),
        retry={"max_attempts": 2, "initial_delay": 0.05, "jitter": 0},
    )
    async def always_fails(request: WebhookRequest, io: Any, ctx: Any) -> None:
        raise RuntimeError(f"boom on attempt {ctx.attempt}")

    @hp.job(id="works", trigger=good.on_request(), retry={"max_attempts": 1})
    async def works(request: WebhookRequest, io: Any, ctx: Any) -> dict[str, bool]:
        return {"ok": True}

    @hp.job(id="signed-job", trigger=signed.on_request(), retry={"max_attempts": 1})
    async def signed_job(request: WebhookRequest, io: Any, ctx: Any) -> None:
        return None

    return hp


def settings_for(url: str, receiver: Receiver | None, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": url,
        "alert_interval": 0.2,
        "alert_window": 60,
        "lease_seconds": 5,
    }
    if receiver is not None:
        values |= {"alert_url": receiver.url(), "alert_secret": SECRET}
    return Settings(**(values | extra))


@contextlib.asynccontextmanager
async def host(
    hp: Hookpoint, settings: Settings, *, run_worker: bool = True
) -> AsyncIterator[tuple[HookpointServer, httpx.AsyncClient]]:
    server = HookpointServer(hp, settings, run_worker=run_worker)
    async with server.running():
        transport = httpx.ASGITransport(app=server)  # type: ignore[arg-type]
        async with httpx.AsyncClient(
            transport=transport, base_url="http://localhost", timeout=30
        ) as client:
            yield server, client


async def wait_until(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not await predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def failed_runs(server: HookpointServer, job: str = "always-fails") -> list[Any]:
    page = await server.store.list_runs(RunQuery(job_id=job, status="failed"))
    return list(page.items)


def verified(receiver: Receiver) -> list[dict[str, Any]]:
    """Every alert the receiver got, each checked with the standardwebhooks library."""
    out = []
    for got in receiver.received:
        payload = Webhook(SECRET).verify(got.body, got.headers)
        assert payload["type"] == f"hookpoint.alert.{payload['data']['state']}"
        assert got.headers["webhook-id"] == payload["data"]["id"]
        out.append(payload["data"])
    return out


def an_alert(**fields: Any) -> Alert:
    """An alert as a check makes one (fields overridden by ``fields``)."""
    values: dict[str, Any] = {
        "id": "06alert",
        "app": "a",
        "condition": "queue_age",
        "key": "queue",
        "state": "firing",
        "message": "m",
        "at": time.time(),
    }
    return Alert(**(values | fields))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'alerts.db'}"
    return str(request.getfixturevalue("pg_url"))


# -- dead runs -------------------------------------------------------------------------------------


async def test_a_dead_run_sends_one_signed_alert_and_a_second_in_the_window_none(
    store_url: str,
) -> None:
    with Receiver() as receiver:
        async with host(make_app(), settings_for(store_url, receiver)) as (server, client):
            r = await client.post("/webhooks/flaky", json={"n": 1})
            assert r.status_code == 200 and r.json()["runs"] == 1
            await receiver.wait_for(1)
            [alert] = verified(receiver)
            [dead] = await failed_runs(server)
            assert (alert["condition"], alert["key"], alert["state"]) == (
                "dead_runs",
                "always-fails",
                "firing",
            )
            assert alert["app"] == "alerting"
            assert alert["details"]["count"] == 1
            assert alert["details"]["last_run"] == dead.id
            assert alert["details"]["last_endpoint"] == "flaky"
            assert "boom on attempt 2" in alert["details"]["last_error"]
            assert (
                "1 run of job 'always-fails' failed after their last attempt" in (alert["message"])
            )

            r = await client.post("/webhooks/flaky", json={"n": 2})
            assert r.status_code == 200

            async def two_dead() -> bool:
                return len(await failed_runs(server)) == 2

            await wait_until(two_dead, 20, "the second run to die")
            assert server.runtime.alerts is not None
            checks_before = len(server.runtime.alerts.raised)
            await asyncio.sleep(1.5)  # several checks (every 0.2 s) see the second dead run
            assert len(receiver.received) == 1, receiver.alerts()
            assert len(server.runtime.alerts.raised) == checks_before == 1
            assert server.runtime.alerts.counts[("webhook", "sent")] == 1


async def test_dead_runs_resolve_once_the_job_stops_dying(tmp_path: Path) -> None:
    with Receiver() as receiver:
        settings = settings_for(f"sqlite:///{tmp_path / 'a.db'}", receiver, alert_window=1.5)
        async with host(make_app(), settings) as (_, client):
            assert (await client.post("/webhooks/flaky", json={})).status_code == 200
            await receiver.wait_for(2, timeout=20)
            firing, resolved = verified(receiver)
            assert (firing["state"], resolved["state"]) == ("firing", "resolved")
            assert resolved["key"] == "always-fails" and resolved["condition"] == "dead_runs"
            expected = "no run of job 'always-fails' has failed in the last 1.5s"
            assert resolved["message"] == expected
            await asyncio.sleep(0.6)
            assert len(receiver.received) == 2  # resolved once, not at every check


async def test_runs_dead_in_a_worker_process_are_one_alert_with_a_count_across_hosts(
    store_url: str,
) -> None:
    """The runs die in a worker that is not a host (``hookpoint worker``'s Runtime); two hosts
    on the same store check at the same moment: one alert, counting all five."""
    with Receiver() as receiver:
        settings = settings_for(store_url, receiver, alert_interval=3600)
        hp = make_app()
        async with (
            host(hp, settings, run_worker=False) as (one, client),
            host(hp, settings, run_worker=False) as (two, _),
        ):
            for n in range(5):
                assert (await client.post("/webhooks/flaky", json={"n": n})).status_code == 200
            worker = Runtime(hp, settings, run_worker=True)
            async with worker.running():
                assert worker.worker is not None
                await worker.worker.run_until_idle(timeout=30)
            assert one.runtime.alerts is not None and two.runtime.alerts is not None
            raised = await asyncio.gather(
                one.runtime.alerts.evaluate(), two.runtime.alerts.evaluate()
            )
            assert sorted(len(r) for r in raised) == [0, 1]
            await receiver.wait_for(1)
            [alert] = verified(receiver)
            assert alert["details"]["count"] == 5
            assert "5 runs of job 'always-fails'" in alert["message"]
            # a check later in the window raises nothing more, on either host
            assert await one.runtime.alerts.evaluate() == []
            assert await two.runtime.alerts.evaluate() == []
            await asyncio.sleep(0.3)
            assert len(receiver.received) == 1


# -- rejected requests, queue age ----------------------------------------------------------------


async def test_rejected_requests_over_the_threshold_alert_through_a_real_host(
    tmp_path: Path,
) -> None:
    with Receiver() as receiver:
        settings = settings_for(
            f"sqlite:///{tmp_path / 'a.db'}", receiver, alert_rejected_per_minute=5
        )
        async with host(make_app(), settings) as (server, client):
            for n in range(4):
                r = await client.post(
                    "/webhooks/signed", content=b"{}", headers={"X-Signature": f"forged-{n}"}
                )
                assert r.status_code == 401
            await asyncio.sleep(0.6)
            assert receiver.received == []  # under the threshold
            for n in range(3):
                r = await client.post(
                    "/webhooks/signed", content=b"{}", headers={"X-Signature": f"more-{n}"}
                )
                assert r.status_code == 401
            await receiver.wait_for(1)
            [alert] = verified(receiver)
            assert (alert["condition"], alert["key"], alert["state"]) == (
                "rejected_requests",
                "signed",
                "firing",
            )
            assert alert["details"]["count"] >= 5 and alert["details"]["threshold"] == 5
            # a minute later the endpoint is quiet again
            assert server.runtime.alerts is not None
            [resolved] = await server.runtime.alerts.evaluate(now=time.time() + 61)
            assert resolved.state == "resolved" and resolved.key == "signed"
            await receiver.wait_for(2)
            assert verified(receiver)[1]["details"]["count"] == 0


async def test_the_oldest_queued_run_past_the_threshold_alerts_and_resolves(
    tmp_path: Path,
) -> None:
    with Receiver() as receiver:
        settings = settings_for(f"sqlite:///{tmp_path / 'a.db'}", receiver, alert_queue_age=0.5)
        hp = make_app()
        async with host(hp, settings, run_worker=False) as (_, client):
            assert (await client.post("/webhooks/good", json={})).status_code == 200
            await receiver.wait_for(1)
            [firing] = verified(receiver)
            assert (firing["condition"], firing["key"], firing["state"]) == (
                "queue_age",
                "queue",
                "firing",
            )
            assert firing["details"]["oldest_queued_age_seconds"] >= 0.5
            worker = Runtime(hp, settings, run_worker=True)
            async with worker.running():
                assert worker.worker is not None
                await worker.worker.run_until_idle(timeout=30)
            await receiver.wait_for(2)
            assert verified(receiver)[1]["state"] == "resolved"


# -- the store going away -------------------------------------------------------------------------


async def test_sqlite_unavailable_alerts_from_this_process_and_resolves(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with Receiver() as receiver:
        settings = settings_for(f"sqlite:///{path}?busy_timeout=0.3", receiver)
        async with host(make_app(), settings) as (_, client):
            assert (await client.post("/webhooks/good", json={})).status_code == 200
            other = sqlite3.connect(path, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
                r = await client.post("/webhooks/good", json={})
                assert r.status_code == 503
                await receiver.wait_for(1)
                [alert] = verified(receiver)
                assert (alert["condition"], alert["key"], alert["state"]) == (
                    "store_unavailable",
                    "store",
                    "firing",
                )
                assert "locked" in alert["details"]["error"]
            finally:
                other.execute("ROLLBACK")
                other.close()
            await receiver.wait_for(2)
            assert verified(receiver)[1]["state"] == "resolved"
            assert (await client.post("/webhooks/good", json={})).status_code == 200
            assert len(receiver.received) == 2


@pytest.mark.postgres
async def test_postgres_connection_refused_alerts_and_resolves(pg_url: str) -> None:
    proxy = TcpProxy()
    proxy.restore()
    url = pg_url.replace(":5432/", f":{proxy.port}/")
    try:
        with Receiver() as receiver:
            async with host(make_app(), settings_for(url, receiver)) as (_, client):
                assert (await client.post("/webhooks/good", json={})).status_code == 200
                await asyncio.to_thread(proxy.cut)
                assert (await client.post("/webhooks/good", json={})).status_code == 503
                await receiver.wait_for(1, timeout=30)
                [alert] = verified(receiver)
                assert (alert["condition"], alert["state"]) == ("store_unavailable", "firing")
                assert "password" not in json.dumps(alert)
                await asyncio.to_thread(proxy.restore)
                await receiver.wait_for(2, timeout=30)
                assert verified(receiver)[1]["state"] == "resolved"
                assert (await client.post("/webhooks/good", json={})).status_code == 200
    finally:
        proxy.close()


# -- notifiers ------------------------------------------------------------------------------------


async def test_slack_gets_slacks_message_format_and_its_url_is_never_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    token_path = "/services/T0000/B0000/sEcReTtOkEn"
    with Receiver(status=500) as receiver:  # Slack refusing: the failure is logged
        settings = settings_for(
            f"sqlite:///{tmp_path / 'a.db'}", None, alert_slack_url=receiver.url(token_path)
        )
        async with host(make_app(), settings) as (server, client):
            assert (await client.post("/webhooks/flaky", json={})).status_code == 200
            [got] = await receiver.wait_for(1)
            assert got.path == token_path
            assert got.headers["content-type"] == "application/json"
            message = got.json()
            assert set(message) == {"text", "blocks"}
            assert message["text"].startswith("[FIRING] 1 run of job 'always-fails'")
            section, context = message["blocks"]
            assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
            assert section["text"]["text"].startswith(":rotating_light: *FIRING* 1 run of job")
            assert context["type"] == "context"
            assert "dead_runs · always-fails · app alerting" in context["elements"][0]["text"]
            assert server.runtime.alerts is not None
            await server.runtime.alerts.drain(5)
            assert server.runtime.alerts.counts[("slack", "refused")] == 1
    assert "alert notification slack to http://127.0.0.1" in caplog.text
    assert "sEcReTtOkEn" not in caplog.text and "T0000" not in caplog.text


def test_slack_text_is_escaped() -> None:
    alert = an_alert(state="resolved", message="<!channel> & <https://evil|click>")
    message = slack_message(alert)
    assert "<!channel>" not in json.dumps(message)
    assert message["text"] == "[RESOLVED] &lt;!channel&gt; &amp; &lt;https://evil|click&gt;"
    assert message["blocks"][0]["text"]["text"].startswith(":white_check_mark: *RESOLVED*")


async def test_a_receiver_that_hangs_or_is_down_changes_nothing_for_senders_and_jobs(
    tmp_path: Path,
) -> None:
    closed = Receiver()
    down_url = closed.url("/services/T/B/token")
    closed.close()  # nothing listens there any more
    with Receiver(hang=True) as hanging:
        settings = settings_for(
            f"sqlite:///{tmp_path / 'a.db'}",
            hanging,
            alert_slack_url=down_url,
            alert_timeout=1,
            alert_rejected_per_minute=1,
        )
        started = time.monotonic()
        async with host(make_app(), settings) as (server, client):
            assert (await client.post("/webhooks/flaky", json={})).status_code == 200
            await hanging.wait_for(1)  # the webhook notification is now hanging
            statuses = []
            for n in range(20):
                statuses.append((await client.post("/webhooks/good", json={"n": n})).status_code)
                bad = await client.post(
                    "/webhooks/signed", content=b"{}", headers={"X-Signature": "x"}
                )
                statuses.append(bad.status_code)
            assert statuses == [200, 401] * 20

            async def all_ran() -> bool:
                page = await server.store.list_runs(RunQuery(job_id="works", status="succeeded"))
                return len(page.items) == 20

            await wait_until(all_ran, 30, "the good runs to succeed")
            alerts = server.runtime.alerts
            assert alerts is not None

            async def both_failed() -> bool:
                return (
                    alerts.counts[("webhook", "error")] >= 2
                    and alerts.counts[("slack", "error")] >= 2
                )

            await wait_until(both_failed, 20, "the notifications to fail")
            metrics = (await client.get("/metrics")).text
            assert 'hookpoint_alert_notifications_total{notifier="webhook",outcome="error"}' in (
                metrics
            )
            assert 'hookpoint_alerts_total{condition="dead_runs",state="firing"} 1.0' in metrics
        assert time.monotonic() - started < 60  # shutting down did not wait on the receiver


# -- a third-party notifier ------------------------------------------------------------------------


class PagerPlugin:
    """A notifier written outside core, configured from the environment."""

    __name__ = "acme-pager"

    def __init__(self, url: str) -> None:
        self.url = url
        self.alerts: list[Alert] = []

    @hookimpl
    def hookpoint_notify(self, alert: Alert, env: Any) -> list[Notification]:
        self.alerts.append(alert)
        return [
            Notification.of_json(
                self.url,
                {"summary": alert.message, "resolved": alert.state == "resolved"},
                headers={"Authorization": f"Token {env['ACME_PAGER_TOKEN']}"},
            )
        ]


class BrokenNotifier:
    __name__ = "broken-notifier"

    @hookimpl
    def hookpoint_notify(self, alert: Alert) -> list[Notification]:
        raise RuntimeError("this plugin is broken")


async def test_a_third_party_plugin_receives_alerts_even_next_to_a_broken_one(
    tmp_path: Path,
) -> None:
    with Receiver() as receiver:
        pager = PagerPlugin(receiver.url("/pager"))
        hp = make_app(plugins=(BrokenNotifier(), pager), env={"ACME_PAGER_TOKEN": "tok-123"})
        # no built-in notifier is configured: the plugin alone turns the checks on
        settings = settings_for(f"sqlite:///{tmp_path / 'a.db'}", None)
        async with host(hp, settings) as (server, client):
            assert (await client.post("/webhooks/flaky", json={})).status_code == 200
            [got] = await receiver.wait_for(1)
            assert got.path == "/pager"
            assert got.headers["authorization"] == "Token tok-123"
            assert got.json()["resolved"] is False
            [alert] = pager.alerts
            assert (alert.condition, alert.key, alert.state) == (
                "dead_runs",
                "always-fails",
                "firing",
            )
            assert server.runtime.alerts is not None
            await server.runtime.alerts.drain(5)
            assert server.runtime.alerts.counts[("acme-pager", "sent")] == 1


async def test_no_notifier_means_no_alert_checks(tmp_path: Path) -> None:
    async with host(make_app(), settings_for(f"sqlite:///{tmp_path / 'a.db'}", None)) as (
        server,
        _,
    ):
        assert server.runtime.alerts is None


# -- the rules -------------------------------------------------------------------------------------


def test_next_mark_fires_once_per_window_and_resolves_once() -> None:
    window = 60.0
    first = next_mark(None, "firing", 100.0, window)
    assert first == AlertMark("firing", 100.0, 100.0)
    assert next_mark(first, "firing", 159.0, window) is None  # inside the window
    again = next_mark(first, "firing", 160.0, window)
    assert again == AlertMark("firing", 160.0, 160.0)  # still firing a window later
    resolved = next_mark(first, "resolved", 120.0, window)
    assert resolved == AlertMark("resolved", 100.0, 120.0)
    assert next_mark(resolved, "resolved", 130.0, window) is None
    assert next_mark(None, "resolved", 130.0, window) is None
    assert next_mark(resolved, "firing", 130.0, window) is None  # flapping: wait for the window
    assert next_mark(resolved, "firing", 160.0, window) == AlertMark("firing", 160.0, 160.0)


def test_durations_and_masked_urls() -> None:
    assert [duration(s) for s in (1.5, 42, 900, 5400, 7200)] == [
        "1.5s",
        "42s",
        "15m",
        "1h 30m",
        "2h",
    ]
    assert (
        mask_url_path("https://hooks.slack.com/services/T1/B2/xyz")
        == "https://hooks.slack.com/********"
    )
    assert mask_url_path("https://u:pw@example.com:8443/h?token=abc&x=1") == (
        "https://example.com:8443/********?token=********&x=1"
    )


def test_alert_settings_are_checked_without_echoing_them() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="needs HOOKPOINT_ALERT_SECRET"):
        Settings(alert_url="https://example.com/alerts")
    with pytest.raises(ValidationError, match="whsec_") as bad:
        Settings(alert_url="https://example.com/alerts", alert_secret="not-a-whsec-secret")
    assert "not-a-whsec-secret" not in str(bad.value)
    with pytest.raises(ValidationError, match="http") as slack:
        Settings(alert_slack_url="ftp://hooks.slack.com/services/T/B/leaky")
    assert "leaky" not in str(slack.value)
    ok = Settings(alert_url="https://example.com/alerts", alert_secret=SECRET)
    assert ok.alert_secret is not None and SECRET not in repr(ok)


# -- the page that documents them ------------------------------------------------------------------


def test_the_formats_on_docs_alerts_md_are_what_the_notifiers_send() -> None:
    """The JSON examples of docs/alerts.md have exactly the keys the notifiers produce, and the
    dead-runs ``details`` are the ones a check writes."""
    import re

    from hookpoint._alerts import observe
    from hookpoint.default_plugins.alert_webhook import alert_payload
    from hookpoint.store import AlertInputs, DeadRuns

    page = (HERE.parent / "docs" / "alerts.md").read_text()
    webhook_doc, slack_doc = (
        json.loads(b) for b in re.findall(r"^```json\n(.*?)^```", page, re.S | re.M)
    )
    now = time.time()
    inputs = AlertInputs((DeadRuns("charge-card", 3, "r1", "stripe", "boom", now),), (), 0.0)
    [seen] = observe(inputs, Settings(), now)
    alert = an_alert(
        app="shop",
        condition=seen.condition,
        key=seen.key,
        state=seen.state,
        message=seen.message,
        details=seen.details,
    )
    sent = json.loads(json.dumps(alert_payload(alert)))
    assert set(webhook_doc) == set(sent)
    assert set(webhook_doc["data"]) == set(sent["data"])
    assert webhook_doc["data"]["details"].keys() == sent["data"]["details"].keys()
    assert webhook_doc["data"]["message"] == sent["data"]["message"]
    slack = slack_message(alert)
    assert set(slack_doc) == set(slack)
    assert [b["type"] for b in slack_doc["blocks"]] == [b["type"] for b in slack["blocks"]]
    assert slack_doc["text"] == slack["text"]


def test_another_hookpoint_verifies_the_alert_webhook_with_its_standardwebhooks_provider() -> None:
    """docs/alerts.md says an endpoint with ``provider="standardwebhooks"`` and the same secret
    accepts the built-in webhook: the provider's own verification says so."""
    from hookpoint.testing import load_plugins

    plugins = load_plugins()
    alert = an_alert()
    settings = Settings(alert_url="https://other-host.example/webhooks/alerts", alert_secret=SECRET)
    [sent] = plugins.notify(alert, settings, {}, time.time())
    request = WebhookRequest(
        method="POST", url=sent.url, headers=list(sent.headers), body=sent.body
    )
    model = plugins.settings_for("standardwebhooks", {})
    assert plugins.verify("standardwebhooks", request, model, [SECRET], time.time())
    assert not plugins.verify("standardwebhooks", request, model, ["whsec_b3RoZXI="], time.time())
    info = plugins.describe("standardwebhooks", request, model)
    assert info is not None and info.id == "06alert" and info.type == "hookpoint.alert.firing"
