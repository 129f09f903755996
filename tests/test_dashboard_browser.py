"""The dashboard end to end in a real browser: Debian's chromium driven by Playwright.

A real host (``hookpoint serve`` in a subprocess, on a free loopback port, a temporary SQLite
file, an admin token, the app in ``tests/dashboard_app.py``) receives a signed cal.com delivery
and a forged one; the browser logs in, sees the endpoints with their provider icons loaded,
sees both requests on the requests page, opens the run (succeeded, with its log line), replays
it and sees the new run; then opens the cal.com endpoint's page (its properties), clicks
**Test** on an example and follows the test delivery to its run, marked as a test. A second
test filters the runs page, opens **Replay all matching…**, submits the confirm form twice at
once, double-clicks it and resends it, and checks through the API that each matching run was
replayed exactly once, by one recorded bulk action. The
screenshots in ``docs/screenshots/`` (embedded by ``docs/dashboard.md``) are written by this
test when ``HOOKPOINT_UPDATE_SCREENSHOTS=1``; otherwise it takes them in a scratch folder.

Needs ``/usr/bin/chromium`` (apt: ``chromium``) and ``pip install playwright`` (no
``playwright install``: the system browser is used). Missing either: skipped, except under
``CI=true``, where it fails.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

HERE = Path(__file__).resolve().parent
# The docs' screenshots are refreshed on request only, so that running the tests leaves the
# checkout as it was; otherwise they go to a scratch folder (and are still checked).
SCREENSHOTS = (
    HERE.parent / "docs" / "screenshots"
    if os.environ.get("HOOKPOINT_UPDATE_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "hookpoint-screenshots"
)
CHROMIUM = os.environ.get("HOOKPOINT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TOKEN = "browser-test-admin-token-4f9c2a"
CAL_SECRET = "browser-test-cal-secret"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (required under CI=true)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _hookpoint_command() -> list[str]:
    script = Path(sys.executable).parent / "hookpoint"
    if script.exists():
        return [str(script)]
    found = shutil.which("hookpoint")
    if found is None:
        pytest.fail("the hookpoint command is not installed in this environment")
    return [found]


def cal_delivery(trigger: str, uid: str) -> bytes:
    return json.dumps(
        {
            "triggerEvent": trigger,
            "createdAt": "2026-11-27T10:00:00.000Z",
            "payload": {
                "uid": uid,
                "title": "30 Min Meeting between Ada and Grace",
                "startTime": "2026-12-02T14:00:00Z",
                "endTime": "2026-12-02T14:30:00Z",
                "organizer": {"name": "Ada Organizer", "email": "ada@acme.example"},
                "attendees": [{"name": "Grace Guest", "email": "grace@guest.example"}],
            },
        },
        separators=(",", ":"),
    ).encode()


@dataclass
class Host:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture
def host(tmp_path: Path) -> Iterator[Host]:
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {
        **os.environ,
        "HOOKPOINT_ADMIN_TOKEN": TOKEN,
        "DASHBOARD_CAL_SECRET": CAL_SECRET,
        "HOOKPOINT_LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    for name in (
        "HOOKPOINT_PUBLIC_URL",
        "HOOKPOINT_NO_WORKER",
        "HOOKPOINT_WORKERS",
        "HOOKPOINT_WEBHOOK_PREFIX",
        "HOOKPOINT_LOAD_PLUGINS",
        "HOOKPOINT_DISABLE_PLUGINS",
    ):
        env.pop(name, None)
    command = [
        *_hookpoint_command(),
        "serve",
        "dashboard_app:hp",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--database-url",
        f"sqlite:///{tmp_path / 'hp.db'}",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=HERE, env=env, stdout=out, stderr=subprocess.STDOUT)
    served = Host(url=f"http://127.0.0.1:{port}", process=process, log=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"hookpoint serve exited with {process.returncode}:\n{served.output()}")
            try:
                if httpx.get(f"{served.url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"hookpoint serve did not become ready:\n{served.output()}")
            time.sleep(0.1)
        probe = httpx.get(f"{served.url}/dashboard/login", timeout=5)
        assert probe.status_code == 200, (
            "the dashboard is not served: HookpointServer must call register_dashboard(self)"
        )
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


@pytest.fixture
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install playwright)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def test_log_in_see_a_request_open_its_run_and_replay_it(browser: Any, host: Host) -> None:
    from playwright.sync_api import expect

    # -- a real sender: one signed cal.com delivery and one with a wrong signature -------------
    body = cal_delivery("BOOKING_CREATED", "kN3bq1UvQe2Hd9pRtGmZxA")
    signature = hmac.new(CAL_SECRET.encode(), body, hashlib.sha256).hexdigest()
    forged = cal_delivery("BOOKING_CREATED", "forged")
    with httpx.Client(base_url=host.url, timeout=10) as sender:
        bad = sender.post(
            "/webhooks/caldotcom",
            content=forged,
            headers={"Content-Type": "application/json", "X-Cal-Signature-256": "0" * 64},
        )
        assert bad.status_code == 401, bad.text
        other = cal_delivery("BOOKING_CANCELLED", "a7Hq2LmP9sXw")
        cancelled = sender.post(
            "/webhooks/caldotcom",
            content=other,
            headers={
                "Content-Type": "application/json",
                "X-Cal-Signature-256": hmac.new(CAL_SECRET.encode(), other, "sha256").hexdigest(),
            },
        )
        assert cancelled.status_code == 200, cancelled.text  # stored; no job matches it
        ok = sender.post(
            "/webhooks/caldotcom",
            content=body,
            headers={
                "Content-Type": "application/json",
                "X-Cal-Signature-256": signature,
                "X-Cal-Webhook-Version": "2021-10-20",
            },
        )
        assert ok.status_code == 200, ok.text
    request_id = ok.json()["id"]

    context = browser.new_context(viewport={"width": 1280, "height": 760}, device_scale_factor=1)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=host.url)
    page = context.new_page()
    problems: list[str] = []
    expected_401 = "the server responded with a status of 401"  # the wrong token, on purpose
    page.on(
        "console",
        lambda m: (
            problems.append(m.text) if m.type == "error" and expected_401 not in m.text else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.set_default_timeout(15_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        # -- log in (a wrong token first) ------------------------------------------------------
        page.goto(f"{host.url}/dashboard/")
        expect(page).to_have_url(re.compile(r"/dashboard/login"))
        page.fill("#token", "not-the-token")
        page.click("button[type=submit]")
        expect(page.locator(".alert.error")).to_contain_text("not the admin token")
        page.fill("#token", TOKEN)
        page.click("button[type=submit]")
        expect(page).to_have_url(re.compile(r"/dashboard/endpoints$"))
        expect(page.locator("h1")).to_contain_text("Endpoints")
        row = page.locator("tr", has_text="caldotcom").first
        expect(row.locator("input")).to_have_value(f"{host.url}/webhooks/caldotcom")
        expect(row).to_contain_text("provider:caldotcom")
        expect(row).to_contain_text("Cal.com bookings")
        _icons_loaded(page, {"/dashboard/icons/caldotcom.svg", "/dashboard/icons/hmac.svg"})
        expect(page.locator("body")).not_to_contain_text(CAL_SECRET)
        row.locator("button.copy").click()  # the copy button (a script file, allowed by CSP)
        expect(row.locator("button.copy")).to_have_text("Copied")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == f"{host.url}/webhooks/caldotcom"
        _screenshot(page, "dashboard-endpoints.png")

        # -- the request arrived (and the forged one, rejected with its reason) ----------------
        page.click("nav >> text=Requests")
        expect(page).to_have_url(re.compile(r"/dashboard/requests$"))
        accepted = page.locator("tr.row-accepted", has_text="BOOKING_CREATED")
        expect(accepted).to_have_count(1)
        expect(page.locator("tr.row-rejected")).to_contain_text("signature mismatch")
        _screenshot(page, "dashboard-requests.png")

        accepted.locator(f"a[href='/dashboard/requests/{request_id}']").click()
        expect(page.locator("h1")).to_contain_text("accepted")
        expect(page.locator("pre.body")).to_contain_text('"triggerEvent": "BOOKING_CREATED"')
        expect(page.locator("table.kv")).to_contain_text("********")
        expect(page.locator("body")).not_to_contain_text(signature)

        # -- its run: succeeded, with its log line ---------------------------------------------
        page.locator("a[href^='/dashboard/runs/']").first.click()
        expect(page).to_have_url(re.compile(r"/dashboard/runs/[0-9a-z]{26}$"))
        first_run = page.url.rsplit("/", 1)[1]
        _reload_until(page, "h1 .badge", "succeeded")
        expect(page.locator("ol.logs")).to_contain_text("New booking")
        expect(page.locator("ol.logs pre")).to_contain_text('"uid": "kN3bq1UvQe2Hd9pRtGmZxA"')
        expect(page.locator("table.attempts")).to_contain_text("succeeded")
        _screenshot(page, "dashboard-run.png")

        # -- replay it: a new run, which succeeds too ------------------------------------------
        page.click("#replay-run")
        expect(page.locator(".alert.ok")).to_contain_text("Replay queued")
        second_run = page.url.split("?")[0].rsplit("/", 1)[1]
        assert second_run != first_run
        _reload_until(page, "h1 .badge", "succeeded")
        expect(page.locator("dl.facts")).to_contain_text(first_run)

        page.click("nav >> text=Runs")
        runs = page.locator("table.runs tbody tr.row-succeeded")
        expect(runs).to_have_count(2)
        expect(page.locator(f"a[href='/dashboard/runs/{second_run}']")).to_have_count(1)
        expect(page.locator("table.runs .s-test")).to_have_count(0)  # the sender's: no tests

        # -- the endpoint's page: icon, properties, examples; "Test" one -----------------------
        page.click("nav >> text=Endpoints")
        page.click("a.ep-link >> text=Cal.com bookings")
        expect(page).to_have_url(re.compile(r"/dashboard/endpoints/caldotcom$"))
        expect(page.locator("h1")).to_contain_text("Cal.com bookings")
        _icons_loaded(page, {"/dashboard/icons/caldotcom.svg"})
        properties = page.locator("dl.properties")
        expect(properties).to_contain_text("Sales calendar")
        link = properties.locator("a", has_text="cal.com/docs")
        expect(link).to_have_attribute("href", "https://cal.com/docs/webhooks")
        expect(link).to_have_attribute("rel", "noopener noreferrer")
        expect(page.locator("table.examples")).to_contain_text("booking_created")
        _screenshot(page, "dashboard-endpoint.png")
        page.click("button.test-button[data-example='booking_created']")
        expect(page).to_have_url(re.compile(r"/dashboard/requests/[0-9a-z]{26}\?tested=1$"))
        expect(page.locator(".alert.ok")).to_contain_text("Test delivered: 1 run(s)")
        expect(page.locator("h1 .s-test")).to_have_text("test")
        page.locator("a[href^='/dashboard/runs/']").first.click()
        _reload_until(page, "h1 .badge", "succeeded")
        expect(page.locator("h1 .s-test")).to_have_text("test")
        expect(page.locator("pre.json").first).to_contain_text('"test": true')
        page.click("nav >> text=Runs")
        expect(page.locator("table.runs tbody tr .s-test")).to_have_count(1)
        expect(page.locator("table.runs tbody tr").first.locator(".s-test")).to_have_count(1)

        # -- log out ---------------------------------------------------------------------------
        page.click("text=Log out")
        expect(page).to_have_url(re.compile(r"/dashboard/login"))
        page.goto(f"{host.url}/dashboard/runs")
        expect(page).to_have_url(re.compile(r"/dashboard/login"))
    except Exception as exc:
        page.screenshot(path=str(host.log.parent / "failure.png"), full_page=True)
        raise AssertionError(f"{exc}\n\nhost output:\n{host.output()}") from exc
    finally:
        context.close()
    assert not problems, f"browser console errors (CSP violations?): {problems}"
    for name in (
        "dashboard-endpoints.png",
        "dashboard-requests.png",
        "dashboard-run.png",
        "dashboard-endpoint.png",
    ):
        shot = SCREENSHOTS / name
        assert shot.stat().st_size > 10_000 and time.time() - shot.stat().st_mtime < 600


def _icons_loaded(page: Any, expected: set[str]) -> None:
    """Every icon on the page is an <img> the browser decoded (naturalWidth > 0), and the
    ``expected`` sources are among them."""
    page.wait_for_load_state("load")
    icons = page.eval_on_selector_all(
        "img.icon",
        "els => els.map(e => [new URL(e.src).pathname, e.complete, e.naturalWidth])",
    )
    assert icons, "no icons on the page"
    assert expected <= {src for src, _, _ in icons}, icons
    for src, complete, width in icons:
        assert complete and width > 0, f"icon {src} did not load: {icons}"


def _screenshot(page: Any, name: str) -> None:
    """A full-page shot with the window shrunk to the content (no empty area below it)."""
    page.set_viewport_size({"width": 1280, "height": 300})
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True, animations="disabled")
    page.set_viewport_size({"width": 1280, "height": 760})


def _reload_until(page: Any, selector: str, text: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while page.locator(selector).first.inner_text().strip() != text:
        if time.monotonic() > deadline:
            raise AssertionError(f"{selector} never showed {text!r}")
        time.sleep(0.2)
        page.reload()


def test_replay_all_matching_runs_once_despite_a_double_click_and_a_resubmit(
    browser: Any, host: Host
) -> None:
    """Runs page → filters → **Replay all matching…** → the confirm page (count, sample) →
    a double click on the button, then the same form posted again: one bulk action, each
    matching run replayed exactly once (checked through the API)."""
    from playwright.sync_api import expect

    api = httpx.Client(base_url=host.url, timeout=10, headers={"Authorization": f"Bearer {TOKEN}"})
    uids = [f"bulk-{i}" for i in range(7)]
    for uid in uids:
        body = cal_delivery("BOOKING_CREATED", uid)
        signature = hmac.new(CAL_SECRET.encode(), body, hashlib.sha256).hexdigest()
        sent = api.post(
            "/webhooks/caldotcom",
            content=body,
            headers={"Content-Type": "application/json", "X-Cal-Signature-256": signature},
        )
        assert sent.status_code == 200, sent.text
    deadline = time.monotonic() + 30
    while True:
        runs = api.get("/api/runs", params={"limit": 500}).json()["items"]
        if len(runs) == len(uids) and all(r["status"] == "succeeded" for r in runs):
            break
        assert time.monotonic() < deadline, runs
        time.sleep(0.2)
    originals = {r["id"] for r in runs}

    context = browser.new_context(viewport={"width": 1280, "height": 760})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{host.url}/dashboard/login")
        page.fill("#token", TOKEN)
        page.click("button[type=submit]")
        expect(page).to_have_url(re.compile(r"/dashboard/endpoints$"))

        # -- the runs page, filtered; "Replay all matching…" carries the filters -----------------
        page.click("nav >> text=Runs")
        page.select_option("select[name=status]", "succeeded")
        page.select_option("select[name=job]", "booking-created")
        page.fill("input[name=since]", "2020-01-01T00:00:00Z")
        page.click("form.filters button[type=submit]")
        expect(page.locator("table.runs tbody tr.row-succeeded")).to_have_count(len(uids))
        page.click("#bulk-replay")
        expect(page).to_have_url(re.compile(r"/dashboard/runs/bulk-replay\?"))
        expect(page.locator("#bulk-count")).to_have_text(str(len(uids)))
        expect(page.locator("table.bulk-sample tbody tr")).to_have_count(len(uids))
        expect(page.locator("dl.facts")).to_contain_text("status=succeeded")
        expect(page.locator("dl.facts")).to_contain_text("job=booking-created")
        assert api.get("/api/bulk-actions").json()["items"] == []  # nothing happened yet
        assert len(api.get("/api/runs", params={"limit": 500}).json()["items"]) == len(uids)
        form = page.eval_on_selector(
            "form.bulk-confirm", "f => Object.fromEntries(new FormData(f).entries())"
        )
        target = page.eval_on_selector("form.bulk-confirm", "f => f.action")

        # -- the form submitted twice at once (two tabs, a flaky double submit): one action ----
        # (Chromium itself sends a double click's form once; these two go out together.)
        twice = page.evaluate(
            """async () => {
                const f = document.querySelector("form.bulk-confirm");
                const send = () => fetch(f.action, {
                    method: "POST",
                    headers: {"Content-Type": "application/x-www-form-urlencoded"},
                    body: new URLSearchParams(new FormData(f)),
                });
                const answers = await Promise.all([send(), send()]);
                return answers.map(a => [a.status, new URL(a.url).pathname]);
            }"""
        )
        assert [status for status, _ in twice] == [200, 200], twice
        assert twice[0][1] == twice[1][1], twice  # both redirected to the same action
        action_id = twice[0][1].rsplit("/", 1)[1]

        # -- then a double click on the button: the same action again ------------------------
        page.dblclick("#bulk-submit")
        expect(page).to_have_url(re.compile(f"/dashboard/bulk-actions/{action_id}$"))
        _reload_until(page, "h1 .badge", "done")
        expect(page.locator("#bulk-result")).to_contain_text(
            f"Replayed {len(uids)} of {len(uids)} runs"
        )
        expect(page.locator("a.new-run")).to_have_count(len(uids))

        # -- the same form sent again (what "resend" does): the same action, nothing new -------
        again = page.request.post(target, form=form)
        assert again.ok and again.url.endswith(f"/dashboard/bulk-actions/{action_id}")

        # -- the audit log page ----------------------------------------------------------------
        page.click("nav >> text=Bulk actions")
        rows = page.locator("table.bulk-actions tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("dashboard login")
        expect(rows.first).to_contain_text("status=succeeded")
    except Exception as exc:
        page.screenshot(path=str(host.log.parent / "failure.png"), full_page=True)
        raise AssertionError(f"{exc}\n\nhost output:\n{host.output()}") from exc
    finally:
        context.close()
    assert not problems, f"browser console errors: {problems}"

    runs = api.get("/api/runs", params={"limit": 500}).json()["items"]
    replays = [r for r in runs if r["replay_of"]]
    assert sorted(r["replay_of"] for r in replays) == sorted(originals)  # each once
    assert len(runs) == 2 * len(uids)
    actions = api.get("/api/bulk-actions").json()["items"]
    assert [a["id"] for a in actions] == [action_id]
    assert actions[0]["replayed"] == len(uids) and actions[0]["actor"].startswith(
        "dashboard login "
    )
