"""The dashboard end to end in a real browser: Debian's chromium driven by Playwright.

A real host (``hookpoint serve`` in a subprocess, on a free loopback port, a temporary SQLite
file, an admin token, the app in ``tests/dashboard_app.py``) receives a signed cal.com delivery
and a forged one; the browser logs in, sees the endpoints with their provider icons loaded,
sees both requests on the requests page, opens the run (succeeded, with its log line), replays
it and sees the new run; then opens the cal.com endpoint's page (its properties), clicks
**Test** on an example and follows the test delivery to its run, marked as a test.

A second test filters the runs page, opens **Replay all matching…**, submits the confirm form
twice at once, double-clicks it and resends it, and checks through the API that each matching
run was replayed exactly once, by one recorded bulk action.

A third host starts on a database seeded with 22 hours of cal.com traffic (requests at chosen
times, runs that succeed or fail): the browser checks the charts of the endpoints page and of
the endpoint's page by their accessible names (the totals), their text equivalent (the hidden
table of counts) and their number of bars (one per hour and outcome or status, counted from
what was seeded).

The screenshots in ``docs/screenshots/`` (embedded by ``docs/dashboard.md``) are written by
these tests when ``HOOKPOINT_UPDATE_SCREENSHOTS=1`` (the requests and run pages by the first,
the endpoints and endpoint pages, with their charts, by the third); otherwise they go to a
scratch folder.

Needs ``/usr/bin/chromium`` (apt: ``chromium``) and ``pip install playwright`` (no
``playwright install``: the system browser is used). Missing either: skipped, except under
``CI=true``, where it fails.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
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


@contextlib.contextmanager
def serve(tmp_path: Path) -> Iterator[Host]:
    """``hookpoint serve dashboard_app:hp`` on a free loopback port and the SQLite file
    ``tmp_path/hp.db`` (which may hold data already), until the block ends."""
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
def host(tmp_path: Path) -> Iterator[Host]:
    with serve(tmp_path) as served:
        yield served


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


@contextlib.contextmanager
def browsing(
    browser: Any, host: Host, *, clipboard: bool = False, expected: str = ""
) -> Iterator[Any]:
    """A page of a new browser context on ``host``; on failure, a screenshot and the host's
    output. Console errors (a CSP violation, a failed load) fail the test, except ones
    containing ``expected``."""
    context = browser.new_context(viewport={"width": 1280, "height": 760}, device_scale_factor=1)
    if clipboard:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=host.url)
    page = context.new_page()
    problems: list[str] = []

    def console(message: Any) -> None:
        if message.type == "error" and not (expected and expected in message.text):
            problems.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.set_default_timeout(15_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield page
    except Exception as exc:
        page.screenshot(path=str(host.log.parent / "failure.png"), full_page=True)
        raise AssertionError(f"{exc}\n\nhost output:\n{host.output()}") from exc
    finally:
        context.close()
    assert not problems, f"browser console errors (CSP violations?): {problems}"


def screenshots_taken(*names: str) -> None:
    for name in names:
        shot = SCREENSHOTS / name
        assert shot.stat().st_size > 10_000 and time.time() - shot.stat().st_mtime < 600


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

    expected_401 = "the server responded with a status of 401"  # the wrong token, on purpose
    with browsing(browser, host, clipboard=True, expected=expected_401) as page:
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
    screenshots_taken("dashboard-requests.png", "dashboard-run.png")


# -- charts: a day of traffic -----------------------------------------------------------------


@dataclass
class Seeded:
    """What ``seed_a_day`` stored: ``(received_at, outcome)`` of each request and
    ``(created_at, final status)`` of each run."""

    requests: list[tuple[float, str]]
    runs: list[tuple[float, str]]


# per hour back from the current one (22 … 1): bookings made (each runs the job), bookings
# cancelled (no job), and in some hours a repeat, a forged delivery, a run that fails
_MADE = [0, 1, 2, 1, 0, 0, 1, 2, 3, 4, 3, 2, 2, 3, 4, 5, 4, 3, 2, 2, 1, 1]
_CANCELLED = [1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 2, 1, 0, 1, 1, 2, 1, 0, 1, 0, 0, 1]
_REPEATED = {4, 11, 16}
_FORGED = {3, 9, 10, 17}
_FAILING = {8, 15}


def seed_a_day(path: Path, now: float) -> Seeded:
    """Store 22 hours of cal.com traffic before the host starts (the store takes
    ``received_at`` from ``NewRequest``; a run's ``created_at`` is set to its request's time
    afterwards, since a store stamps it itself)."""
    from hookpoint.store import NewRequest, NewRun, RejectedRequest, new_id, open_store

    seeded = Seeded([], [])
    current = now // 3600 * 3600

    async def fill() -> None:
        async with open_store(f"sqlite:///{path}") as store:
            for i, back in enumerate(range(22, 0, -1)):
                start = current - back * 3600
                n = 0

                def at(minute: int, start: float = start) -> float:
                    return start + 60 * minute + 7.25

                def request(
                    trigger: str,
                    uid: str,
                    when: float,
                    runs: tuple[NewRun, ...] = (),
                    body: bytes | None = None,
                ) -> NewRequest:
                    return NewRequest(
                        id=new_id(),
                        endpoint_id="caldotcom",
                        method="POST",
                        url="http://127.0.0.1/webhooks/caldotcom",
                        headers=(("Content-Type", "application/json"),),
                        body=cal_delivery(trigger, uid) if body is None else body,
                        received_at=when,
                        event_type=trigger,
                        event_id=uid,
                        dedupe_window=86400.0,
                        runs=runs,
                    )

                job = (NewRun("booking-created", "1.0.0", 1),)
                for k in range(_MADE[i]):
                    n += 1
                    await store.ingest(request("BOOKING_CREATED", f"made-{i}-{k}", at(n * 5), job))
                    seeded.requests.append((at(n * 5), "accepted"))
                    seeded.runs.append((at(n * 5), "succeeded"))
                for k in range(_CANCELLED[i]):
                    n += 1
                    await store.ingest(request("BOOKING_CANCELLED", f"gone-{i}-{k}", at(n * 5)))
                    seeded.requests.append((at(n * 5), "accepted"))
                if i in _FAILING:  # a booking without its payload: the job fails (1 attempt)
                    n += 1
                    body = json.dumps({"triggerEvent": "BOOKING_CREATED"}).encode()
                    await store.ingest(request("BOOKING_CREATED", f"bad-{i}", at(n * 5), job, body))
                    seeded.requests.append((at(n * 5), "accepted"))
                    seeded.runs.append((at(n * 5), "failed"))
                if i in _REPEATED:
                    n += 1
                    first = f"gone-{i}-0" if _CANCELLED[i] else f"made-{i}-0"
                    result = await store.ingest(request("BOOKING_CANCELLED", first, at(n * 5)))
                    assert result.duplicate
                    seeded.requests.append((at(n * 5), "duplicate"))
                if i in _FORGED:
                    n += 1
                    await store.record_rejected(
                        RejectedRequest(
                            id=new_id(),
                            endpoint_id="caldotcom",
                            method="POST",
                            url="http://127.0.0.1/webhooks/caldotcom",
                            headers=(),
                            reason="signature mismatch",
                            received_at=at(n * 5),
                        )
                    )
                    seeded.requests.append((at(n * 5), "rejected"))

    # in a thread of its own: Playwright's sync API runs an event loop in this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, fill()).result()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "UPDATE runs SET created_at = (SELECT received_at FROM requests "
            "WHERE requests.id = runs.request_id)"
        )
    conn.close()
    return seeded


def _bars(events: list[tuple[float, str]], now: float) -> int:
    """How many bar segments a 24-hour chart draws for ``events``: one per hour and kind."""
    current = int(now // 3600)
    return len(
        {(int(t // 3600), kind) for t, kind in events if current - 23 <= t // 3600 <= current}
    )


def _summary(title: str, events: list[tuple[float, str]], kinds: tuple[str, ...]) -> str:
    counts = [sum(1 for _, k in events if k == kind) for kind in kinds]
    parts = ", ".join(f"{n} {kind}" for n, kind in zip(counts, kinds, strict=True))
    return f"{title}: {sum(counts)} ({parts})"


def test_charts_show_a_day_of_requests_and_runs(browser: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    seeded = seed_a_day(tmp_path / "hp.db", time.time())
    with serve(tmp_path) as host:
        # the current hour: one signed booking and one forged delivery, through the host
        body = cal_delivery("BOOKING_CREATED", "live-booking-1")
        with httpx.Client(base_url=host.url, timeout=10) as sender:
            headers = {"Content-Type": "application/json"}
            forged = sender.post(
                "/webhooks/caldotcom",
                content=body,
                headers={**headers, "X-Cal-Signature-256": "0" * 64},
            )
            sent_forged = time.time()
            assert forged.status_code == 401
            signed = hmac.new(CAL_SECRET.encode(), body, hashlib.sha256).hexdigest()
            ok = sender.post(
                "/webhooks/caldotcom",
                content=body,
                headers={**headers, "X-Cal-Signature-256": signed},
            )
            sent = time.time()
            assert ok.status_code == 200, ok.text
        requests = [*seeded.requests, (sent_forged, "rejected"), (sent, "accepted")]
        runs = [*seeded.runs, (sent, "succeeded")]

        with browsing(browser, host) as page:
            page.goto(f"{host.url}/dashboard/login")
            page.fill("#token", TOKEN)
            page.click("button[type=submit]")
            expect(page).to_have_url(re.compile(r"/dashboard/endpoints$"))

            # -- the endpoints page: a sparkline per endpoint, named by its totals --------------
            row = page.locator("tr", has_text="caldotcom").first
            spark = row.locator("svg.chart")
            expect(spark).to_have_count(1)
            expect(spark).to_have_attribute("role", "img")
            kinds = ("accepted", "duplicate", "rejected")
            expect(spark).to_have_accessible_name(
                _summary("Requests to Cal.com bookings per hour, last 24 hours", requests, kinds)
            )
            expect(spark.locator("rect.seg")).to_have_count(_bars(requests, time.time()))
            quiet = page.locator("tr", has_text="Acme (generic HMAC)").locator("svg.chart")
            expect(quiet).to_have_accessible_name(
                "Requests to Acme (generic HMAC) per hour, last 24 hours: none"
            )
            expect(quiet.locator("rect.seg")).to_have_count(0)
            total = len(requests)
            rejected = sum(1 for _, k in requests if k == "rejected")
            expect(row).to_contain_text(f"{total} requests, {rejected} rejected")
            _screenshot(page, "dashboard-endpoints.png")

            # -- the endpoint page: requests and runs per hour, each with its table -----------
            page.click("a.ep-link >> text=Cal.com bookings")
            expect(page).to_have_url(re.compile(r"/dashboard/endpoints/caldotcom$"))
            chart = page.get_by_role("img", name=re.compile(r"^Requests of Cal\.com bookings"))
            expect(chart).to_have_accessible_name(
                _summary(
                    "Requests of Cal.com bookings per hour, last 24 hours (UTC)", requests, kinds
                )
            )
            expect(chart).to_have_accessible_description(re.compile(r"^Requests of Cal\.com"))
            expect(chart.locator("rect.seg")).to_have_count(_bars(requests, time.time()))
            expect(chart.locator(".legend-item")).to_have_count(3)
            tables = page.locator(".visually-hidden table.counts")
            expect(tables).to_have_count(2)
            expect(tables.first.locator("tbody tr")).to_have_count(24)
            # the text equivalent holds the counts: the hour of the forged live delivery
            hour = time.strftime("%Y-%m-%d %H:00", time.gmtime(sent))
            in_hour = [k for t, k in requests if int(t // 3600) == int(sent // 3600)]
            cells = [str(in_hour.count(k)) for k in kinds] + [str(len(in_hour))]
            expect(tables.first.locator("tr", has_text=hour).locator("td")).to_have_text(cells)

            # the runs: every seeded run ends (succeeded, or failed on its one attempt)
            runs_chart = page.get_by_role("img", name=re.compile(r"^Runs of Cal\.com bookings"))
            deadline = time.monotonic() + 30
            while runs_chart.locator("rect.seg-queued, rect.seg-running").count():
                assert time.monotonic() < deadline, "the seeded runs did not finish"
                time.sleep(0.3)
                page.reload()
            expect(runs_chart).to_have_accessible_name(
                _summary(
                    "Runs of Cal.com bookings per hour, last 24 hours (UTC)",
                    runs,
                    ("succeeded", "failed"),
                )
            )
            expect(runs_chart.locator("rect.seg")).to_have_count(_bars(runs, time.time()))
            expect(runs_chart.locator("rect.seg-failed")).to_have_count(len(_FAILING))
            _screenshot(page, "dashboard-endpoint.png")
    screenshots_taken("dashboard-endpoints.png", "dashboard-endpoint.png")


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
