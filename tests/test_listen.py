"""``hookpoint listen`` end to end, all real and on loopback: a ``hookpoint serve`` host whose
endpoints verify real HMAC signatures, the relay as a subprocess, and a local app that records
the exact bytes it gets and checks the signature itself. Plus the delivery feed API it polls
(``GET /api/endpoints/<id>/deliveries``) on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import http.client
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
try:
    from listen_app import SECRET
    from test_guarantees import Proc, free_port, wait_ready
finally:
    sys.path.pop(0)

pytestmark = pytest.mark.slow

TOKEN = "listen-admin-token-0123456789"
# Deadlines for things to happen, not measurements: generous, for a loaded machine.
PATIENCE = 60.0


# -- the host -------------------------------------------------------------------------------------


@dataclass
class Host:
    port: int
    proc: Proc

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.contextmanager
def serving(tmp_path: Path, database_url: str) -> Iterator[Host]:
    port = free_port()
    env = {
        **os.environ,
        "HOOKPOINT_ADMIN_TOKEN": TOKEN,
        "HOOKPOINT_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }
    args = ["serve", "listen_app:hp", "--port", str(port), "--database-url", database_url]
    proc = Proc(args, env, tmp_path / f"host-{port}.log")
    try:
        wait_ready(port, proc)
        yield Host(port, proc)
    finally:
        proc.kill(signal.SIGTERM)


@pytest.fixture
def host(tmp_path: Path) -> Iterator[Host]:
    with serving(tmp_path, f"sqlite:///{tmp_path / 'host.db'}") as h:
        yield h


SentHeaders = list[tuple[str, str]]


def send(host: Host, endpoint: str, body: bytes, *, query: str = "src=test") -> SentHeaders:
    """POST a delivery signed as the sender would, with exactly the headers returned (names
    and values as they went on the wire); asserts the host accepted it."""
    signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = [
        ("Host", f"127.0.0.1:{host.port}"),
        ("User-Agent", "Acme-Hookshot/1.0"),
        ("Content-Type", "application/octet-stream"),
        ("X-Acme-Signature", f"sha256={signature}"),
        ("X-Acme-Trace", "a  b;c=\u00e9".encode().decode("latin-1")),
        ("X-Acme-Tag", "one"),
        ("X-Acme-Tag", "two"),
        ("Connection", "keep-alive"),
        ("Content-Length", str(len(body))),
    ]
    conn = http.client.HTTPConnection("127.0.0.1", host.port, timeout=30)
    try:
        conn.putrequest(
            "POST", f"/webhooks/{endpoint}?{query}", skip_host=True, skip_accept_encoding=True
        )
        for name, value in headers:
            conn.putheader(name, value.encode("latin-1"))
        conn.endheaders(body)
        response = conn.getresponse()
        answer = response.read()
    finally:
        conn.close()
    assert response.status == 200, answer
    return headers


# -- the local app --------------------------------------------------------------------------------


@dataclass
class Received:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes
    signature_ok: bool


class LocalApp:
    """A local app on a free port: records every request byte for byte, checks its HMAC
    signature like the developer's app would, and answers the statuses queued in
    ``answers`` (then 200)."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answers: list[int] = []
        self.delay = 0.0
        """Seconds to take before answering (after recording the request)."""
        self.refusal = b"not today"
        """The body of an answer that is not a 2xx."""
        self._lock = threading.Lock()
        app = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                given = self.headers.get("X-Acme-Signature", "")
                expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                with app._lock:
                    app.received.append(
                        Received(
                            self.command,
                            self.path,
                            list(self.headers.items()),
                            body,
                            hmac.compare_digest(given, expected),
                        )
                    )
                    status = app.answers.pop(0) if app.answers else 200
                time.sleep(app.delay)
                payload = app.refusal if status >= 300 else b"ok"
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def bodies(self) -> list[bytes]:
        with self._lock:
            return [r.body for r in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def app() -> Iterator[LocalApp]:
    local = LocalApp()
    try:
        yield local
    finally:
        local.close()


# -- the relay ------------------------------------------------------------------------------------


class Listen:
    """``hookpoint listen --json`` as a subprocess; its stdout lines parsed."""

    def __init__(self, tmp_path: Path, args: list[str], name: str = "listen") -> None:
        self.out_path = tmp_path / f"{name}-{time.monotonic_ns()}.out"
        self.err_path = self.out_path.with_suffix(".err")
        env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
        env.pop("HOOKPOINT_ADMIN_TOKEN", None)
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "hookpoint.cli", "listen", *args],
                env=env,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )

    @property
    def stdout(self) -> str:
        return self.out_path.read_text()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.out_path.read_text().splitlines() if line]

    def stop(self) -> int:
        """Ctrl-C; the exit status."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGINT)
        try:
            return self.proc.wait(timeout=PATIENCE)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            raise

    def wait(self) -> int:
        return self.proc.wait(timeout=PATIENCE)

    @property
    def stderr(self) -> str:
        return self.err_path.read_text()


def until(check: Callable[[], bool], what: str, proc: Listen | None = None) -> None:
    deadline = time.monotonic() + PATIENCE
    while not check():
        if proc is not None and proc.proc.poll() is not None:
            raise AssertionError(f"the relay exited while waiting for {what}: {proc.stderr}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def relay_args(host: Host, app: LocalApp, endpoint: str, state: Path, *extra: str) -> list[str]:
    return [
        "--from",
        host.url,
        "--token",
        TOKEN,
        "--endpoint",
        endpoint,
        "--to",
        app.url,
        "--state",
        str(state),
        "--json",
        *extra,
    ]


def started(relay: Listen, state: Path) -> None:
    """The relay has saved where it starts (its first poll answers at once)."""
    until(state.exists, "the state file", relay)


def without(headers: list[tuple[str, str]], names: set[str]) -> list[tuple[str, str]]:
    return [(n.lower(), v) for n, v in headers if n.lower() not in names]


# -- tests ----------------------------------------------------------------------------------------


def test_relays_byte_identical_in_order_and_catches_up_after_a_stop(
    tmp_path: Path, host: Host, app: LocalApp
) -> None:
    early = b"sent before the relay ever ran"
    send(host, "acme", early)
    state = tmp_path / "acme.json"
    relay = Listen(tmp_path, relay_args(host, app, "acme", state))
    started(relay, state)
    bodies = [b'{"n":1}', b"\x00\xff\xfe raw bytes \r\n", b'{"n":3}', b"", b'{"n":5}']
    sent = [send(host, "acme", body) for body in bodies]
    until(lambda: len(app.received) >= len(bodies), "five deliveries", relay)
    assert relay.stop() == 0

    # in order, byte for byte, and the app's own signature check passes
    assert app.bodies() == bodies  # not the one sent before the relay started ("now")
    for got, headers in zip(app.received, sent, strict=True):
        assert got.method == "POST" and got.path == "/hook?src=test"
        assert got.signature_ok
        # exactly the sender's headers, in order, same values; Host and Content-Length are
        # the new connection's, Connection is hop-by-hop
        ours = {"host", "content-length", "connection"}
        assert without(got.headers, {"host", "content-length"}) == without(headers, ours)
        assert dict(without(got.headers, set()))["content-length"] == str(len(got.body))

    lines = relay.lines()
    assert lines[0]["type"] == "start" and lines[0]["endpoint"] == "acme"
    deliveries = [line for line in lines if line["type"] == "delivery"]
    assert [d["outcome"] for d in deliveries] == ["delivered"] * 5
    assert all(d["status"] == 200 and d["latency_ms"] >= 0 for d in deliveries)
    summary = lines[-1]
    assert summary["type"] == "summary" and summary["delivered"] == 5
    saved = json.loads(state.read_text())
    assert saved["cursor"] == summary["cursor"] and saved["endpoint"] == "acme"
    assert saved["last_delivery"] == deliveries[-1]["id"]

    # offline: three more arrive; started again with the same state, exactly those follow
    missed = [b'{"n":6}', b'{"n":7}', b'{"n":8}']
    for body in missed:
        send(host, "acme", body)
    again = Listen(tmp_path, relay_args(host, app, "acme", state))
    until(lambda: len(app.received) >= 8, "the missed deliveries", again)
    send(host, "acme", b'{"n":9}')
    until(lambda: len(app.received) >= 9, "a new delivery", again)
    assert again.stop() == 0
    assert app.bodies() == [*bodies, *missed, b'{"n":9}']  # none twice, none lost
    assert all(r.signature_ok for r in app.received)
    assert again.lines()[-1]["delivered"] == 4

    # a fresh state file with --since catches up on the earlier ones too
    app.received.clear()
    fresh = tmp_path / "since.json"
    catch_up = Listen(tmp_path, relay_args(host, app, "acme", fresh, "--since", "10m"))
    until(lambda: len(app.received) >= 10, "everything since ten minutes ago", catch_up)
    assert catch_up.stop() == 0
    assert app.bodies() == [early, *bodies, *missed, b'{"n":9}']


def test_the_local_app_failing_is_retried_in_order_and_never_skipped(
    tmp_path: Path, host: Host, app: LocalApp
) -> None:
    state = tmp_path / "beta.json"
    relay = Listen(tmp_path, relay_args(host, app, "beta", state))
    started(relay, state)
    app.answers = [503, 503, 200, 400]  # first one: twice down, then taken; second: refused
    for body in (b"first", b"second", b"third"):
        send(host, "beta", body)
    until(lambda: len(app.received) >= 5, "three deliveries and two retries", relay)
    assert relay.stop() == 0
    assert app.bodies() == [b"first", b"first", b"first", b"second", b"third"]
    outcomes = [(d["outcome"], d["status"]) for d in relay.lines() if d["type"] == "delivery"]
    assert outcomes == [
        ("retry", 503),
        ("retry", 503),
        ("delivered", 200),
        ("refused", 400),
        ("delivered", 200),
    ]
    summary = relay.lines()[-1]
    assert (summary["delivered"], summary["refused"], summary["failed_attempts"]) == (2, 1, 2)

    # the app is down for good: the relay is stopped while retrying; the delivery stays due
    app.answers = [500] * 1000
    send(host, "beta", b"fourth")
    down = Listen(tmp_path, relay_args(host, app, "beta", state))
    until(lambda: len(app.received) >= 6, "an attempt at the fourth", down)
    assert down.stop() == 0
    assert down.lines()[-1]["delivered"] == 0
    app.answers = []
    up = Listen(tmp_path, relay_args(host, app, "beta", state))
    until(lambda: app.bodies()[-1:] == [b"fourth"] and app.answers == [], "the fourth", up)
    until(lambda: any(d.get("outcome") == "delivered" for d in up.lines()), "its line", up)
    assert up.stop() == 0
    assert [d["outcome"] for d in up.lines() if d["type"] == "delivery"] == ["delivered"]


def test_ctrl_c_lets_the_delivery_in_flight_finish_and_sends_no_more(
    tmp_path: Path, host: Host, app: LocalApp
) -> None:
    send(host, "delta", b"in flight")
    send(host, "delta", b"queued")
    app.delay = 2.0
    state = tmp_path / "delta.json"
    # both in the relay's first page: it has the second in hand when it is stopped
    relay = Listen(tmp_path, relay_args(host, app, "delta", state, "--since", "10m"))
    until(lambda: len(app.received) >= 1, "the first delivery to reach the app", relay)
    assert relay.stop() == 0  # while the app is still answering the first one
    assert app.bodies() == [b"in flight"]
    lines = relay.lines()
    assert [(d["outcome"], d["status"]) for d in lines if d["type"] == "delivery"] == [
        ("delivered", 200)
    ]
    assert lines[-1]["delivered"] == 1 and lines[-1]["note"] is None
    app.delay = 0.0
    again = Listen(tmp_path, relay_args(host, app, "delta", state))
    until(lambda: len(app.received) >= 2, "the queued delivery", again)
    assert again.stop() == 0
    assert app.bodies() == [b"in flight", b"queued"]


def test_lines_for_people_show_what_happened_with_hostile_text_escaped(
    tmp_path: Path, host: Host, app: LocalApp
) -> None:
    state = tmp_path / "zeta.json"
    args = relay_args(host, app, "gamma", state)
    args.remove("--json")
    relay = Listen(tmp_path, args)
    started(relay, state)
    app.answers = [401]
    app.refusal = b"bad signature \x1b]0;owned\x07\x1b[2J"
    send(host, "gamma", b"one")
    send(host, "gamma", b"two")
    until(lambda: len(app.received) >= 2, "two deliveries", relay)
    until(lambda: relay.stdout.count(" ms ") >= 2, "two lines", relay)
    assert relay.stop() == 0
    out = relay.stdout
    assert "\x1b" not in out and "\x07" not in out  # no control character reaches the terminal
    first, second = [line for line in out.splitlines() if " ms " in line]
    assert "POST /webhooks/gamma" in first and " 401 " in first
    assert "refused by the app, not retried" in first
    assert "bad signature \\x1b]0;owned\\x07\\x1b[2J" in first  # shown, escaped
    assert " 200 " in second
    assert "Stopped: 1 delivered, 1 refused, 0 failed attempt(s) retried" in out


def test_refusals_that_retrying_cannot_fix_exit_with_a_clear_error(
    tmp_path: Path, host: Host, app: LocalApp
) -> None:
    state = tmp_path / "s.json"
    wrong = relay_args(host, app, "acme", state)
    wrong[wrong.index("--token") + 1] = "not-the-token"
    relay = Listen(tmp_path, wrong)
    assert relay.wait() == 1
    assert "refused the token (401)" in relay.stderr
    assert "Traceback" not in relay.stderr

    unknown = Listen(tmp_path, relay_args(host, app, "no-such-endpoint", state))
    assert unknown.wait() == 1
    assert "has no endpoint 'no-such-endpoint'" in unknown.stderr

    state.write_text("not json")
    broken = Listen(tmp_path, relay_args(host, app, "acme", state))
    assert broken.wait() == 1
    assert "is not one `hookpoint listen` wrote" in broken.stderr

    bad_since = Listen(tmp_path, relay_args(host, app, "acme", tmp_path / "x.json", "--since", "x"))
    assert bad_since.wait() == 2
    assert "--since must be" in bad_since.stderr


def test_two_relays_never_share_a_state_file(tmp_path: Path, host: Host, app: LocalApp) -> None:
    state = tmp_path / "gamma.json"
    first = Listen(tmp_path, relay_args(host, app, "gamma", state))
    started(first, state)
    second = Listen(tmp_path, relay_args(host, app, "gamma", state))
    assert second.wait() == 1
    assert "another `hookpoint listen` is using the state file" in second.stderr
    assert first.stop() == 0


def test_the_default_state_file_lives_in_the_config_directory(
    tmp_path: Path, host: Host, app: LocalApp
) -> None:
    args = relay_args(host, app, "epsilon", tmp_path / "unused")
    del args[args.index("--state") : args.index("--state") + 2]
    relay = Listen(tmp_path, args)
    folder = tmp_path / "config" / "hookpoint" / "listen"
    until(lambda: folder.exists() and any(folder.glob("epsilon-*.json")), "a state file", relay)
    send(host, "epsilon", b"hello")
    until(lambda: app.bodies() == [b"hello"], "the delivery", relay)
    assert relay.stop() == 0
    [path] = folder.glob("epsilon-*.json")
    assert json.loads(path.read_text())["cursor"] == relay.lines()[-1]["cursor"]
    assert relay.lines()[0]["state"] == str(path)


# -- the delivery feed API ----------------------------------------------------------------------


def _feed_api(host: Host) -> None:
    base = f"{host.url}/api/endpoints/acme/deliveries"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert httpx.get(base).status_code == 401
    assert httpx.get(base, headers={"Authorization": "Bearer nope"}).status_code == 401
    missing = httpx.get(f"{host.url}/api/endpoints/nope/deliveries", headers=auth)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    for bad in (
        {"wait": "abc"},
        {"wait": "61"},
        {"wait": "nan"},
        {"limit": "0"},
        {"limit": "501"},
        {"after": "not-a-cursor"},
        {"since": "yesterday-ish"},
    ):
        answer = httpx.get(base, params=bad, headers=auth)
        assert answer.status_code == 400, bad
        assert answer.json()["error"] == "bad_request"

    head = httpx.get(base, headers=auth).json()
    assert head["items"] == [] and head["more"] is False and head["cursor"]

    async def poll_while_sending() -> tuple[dict[str, Any], float, SentHeaders]:
        async with httpx.AsyncClient(timeout=60) as client:
            started = time.monotonic()
            poll = asyncio.ensure_future(
                client.get(base, params={"after": head["cursor"], "wait": "30"}, headers=auth)
            )
            await asyncio.sleep(0.3)
            assert not poll.done()  # it waits: nothing has arrived yet
            sent = await asyncio.to_thread(send, host, "acme", b"\x01wake up\xff")
            answer = await poll
            return answer.json(), time.monotonic() - started, sent

    page, elapsed, sent = asyncio.run(poll_while_sending())
    assert elapsed < 30  # answered when the delivery arrived, not when the wait ran out
    [item] = page["items"]
    assert base64.b64decode(item["body"]) == b"\x01wake up\xff"
    assert item["method"] == "POST" and item["url"].endswith("/webhooks/acme?src=test")
    assert item["test"] is False and page["cursor"] == item["cursor"]
    # unmasked: the signature is what the local app checks
    assert ["x-acme-signature", dict(sent)["X-Acme-Signature"]] in item["headers"]

    nothing = httpx.get(base, params={"after": page["cursor"], "wait": "0.2"}, headers=auth)
    assert nothing.json()["items"] == []
    since = httpx.get(base, params={"since": "0", "limit": "1"}, headers=auth).json()
    assert since["items"][0]["id"] == item["id"]


def test_the_feed_api_on_sqlite(host: Host) -> None:
    _feed_api(host)


@pytest.mark.postgres
def test_the_feed_api_on_postgres(tmp_path: Path, pg_url: str) -> None:
    with serving(tmp_path, pg_url) as pg_host:
        _feed_api(pg_host)
