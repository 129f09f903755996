"""The operator CLI against a real host: send a signed sample, inspect it, replay it."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(
        [sys.executable, "-m", "hookpoint.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if check:
        assert out.returncode == 0, out.stderr
    return out


def as_json(*args: str, env: dict[str, str]) -> Any:
    return json.loads(cli(*args, "--json", env=env).stdout)


def seed_request(db: Path, endpoint_id: str, body: bytes = b"{}", **fields: Any) -> Any:
    """Store one accepted request straight into ``db``; the store's IngestResult."""
    import asyncio

    from hookpoint.store import NewRequest, new_id, open_store

    async def seed() -> Any:
        async with open_store(str(db)) as store:
            return await store.ingest(
                NewRequest(
                    id=new_id(),
                    endpoint_id=endpoint_id,
                    method="POST",
                    url=f"http://127.0.0.1/webhooks/{endpoint_id}",
                    headers=(),
                    body=body,
                    received_at=time.time(),
                    client="127.0.0.1",
                    status="accepted",
                    verification="verified",
                    **fields,
                )
            )

    return asyncio.run(seed())


@contextlib.contextmanager
def example_host(tmp_path: Path, env: dict[str, str]) -> Iterator[tuple[int, Path]]:
    """``hookpoint serve examples.app:hp`` (what ./scripts/run-example runs) on a free port,
    ready; yields the port and the file holding its output."""
    port = free_port()
    output = tmp_path / "serve.out"
    with output.open("w") as sink:
        host = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hookpoint.cli",
                "serve",
                "examples.app:hp",
                "--port",
                str(port),
            ],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.time() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.time() < deadline and host.poll() is None, output.read_text()
            time.sleep(0.2)
        yield port, output
    finally:
        os.killpg(host.pid, signal.SIGTERM)
        host.wait(timeout=20)


def test_send_inspect_and_replay_through_the_cli(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {**os.environ, "HOOKPOINT_DATABASE_URL": db, "HOOKPOINT_LOG_LEVEL": "WARNING"}
    with example_host(tmp_path, env) as (port, _):
        url = f"http://127.0.0.1:{port}/webhooks/caldotcom"

        # a wrong secret is refused with exit code 1 and the host's 401
        bad = cli(
            "send",
            "caldotcom",
            "booking_cancelled",
            "--to",
            url,
            "--secret",
            "nope",
            "--json",
            env=env,
            check=False,
        )
        assert bad.returncode == 1 and json.loads(bad.stdout)["status"] == 401
        sent = as_json(
            "send",
            "caldotcom",
            "booking_cancelled",
            "--to",
            url,
            "--secret",
            "dev-caldotcom-secret",
            env=env,
        )
        assert sent["status"] == 200
        request_id = json.loads(sent["body"])["id"]

        deadline = time.time() + 30
        while True:
            runs = as_json("runs", "list", env=env)
            if runs and runs[0]["status"] == "succeeded":
                break
            assert time.time() < deadline, runs
            time.sleep(0.3)
        run_id = runs[0]["id"]
        assert runs[0]["request"] == request_id

        requests = as_json("requests", "list", "--status", "rejected", env=env)
        assert len(requests) == 1 and requests[0]["reason"]
        shown = as_json("requests", "show", request_id, env=env)
        assert shown["event_type"] == "BOOKING_CANCELLED" and shown["runs"][0]["id"] == run_id
        assert all(v == "********" for k, v in shown["headers"] if "signature" in k.lower())
        logs = as_json("runs", "logs", run_id, env=env)
        assert logs[0]["message"] == "Body"
        assert logs[0]["data"]["triggerEvent"] == "BOOKING_CANCELLED"

        dry = as_json("replay", "--status", "succeeded", env=env)
        assert dry["dry_run"] is True and dry["count"] == 1
        replayed = as_json("replay", "--run", run_id, env=env)
        assert replayed["replay_of"] == run_id
        run = as_json("runs", "show", run_id, env=env)  # --json, as every command takes it
        assert run["id"] == run_id and run["attempts"] and run["logs"]
        missing = cli("runs", "show", "nope", env=env, check=False)
        assert missing.returncode == 1 and "no run" in missing.stderr

        endpoints = as_json("endpoints", "examples.app:hp", env=env)
        cal = next(e for e in endpoints if e["id"] == "caldotcom")
        assert cal["provider"] == "caldotcom" and "dev-caldotcom-secret" not in json.dumps(cal)
        upgraded = as_json("db", "upgrade", env=env)
        assert upgraded == {"applied": []}


def test_list_tables_show_whole_ids_on_a_narrow_terminal(tmp_path: Path) -> None:
    """The id column is what gets copied into `runs logs` / `requests show`: an 80-column
    terminal squeezes the other columns, never the ids."""
    from hookpoint.store import NewRun

    db = tmp_path / "narrow.db"
    result = seed_request(
        db,
        "an-endpoint-with-a-rather-long-name",
        event_type="SOME_RATHER_LONG_EVENT_TYPE_NAME",
        runs=(NewRun(job_id="a-long-job-name", job_version="1", max_attempts=3),),
    )
    request_id, run_id = result.request_id, result.run_ids[0]
    env = {**os.environ, "HOOKPOINT_DATABASE_URL": f"sqlite:///{db}", "COLUMNS": "80"}
    requests = cli("requests", "list", env=env).stdout
    runs = cli("runs", "list", env=env).stdout
    assert max(len(line) for line in requests.splitlines()) <= 80
    assert request_id in requests, requests
    assert run_id in runs, runs


def test_send_puts_an_overridden_handshake_token_into_the_query(tmp_path: Path) -> None:
    """`--setting verify_token=…` changes the token a handshake sample carries in its query
    (the sample's own token would only match the sample's own settings)."""
    import http.server
    import threading

    seen: list[str] = []

    class Capture(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Capture)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/webhooks/wa"
        env = {**os.environ}
        cli("send", "whatsapp", "verify_subscription", "--to", url, env=env)
        cli(
            "send",
            "whatsapp",
            "verify_subscription",
            "--to",
            url,
            "--setting",
            "verify_token=vt123",
            env=env,
        )
    finally:
        server.shutdown()
    assert len(seen) == 2
    assert "hub.verify_token=vt123" not in seen[0]
    assert "hub.verify_token=vt123" in seen[1] and "hub.challenge=" in seen[1]


def _printed_curl(banner: str, endpoint_url: str) -> str | None:
    lines = banner.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == endpoint_url:
            for follow in lines[i + 1 : i + 5]:
                if follow.strip().startswith("curl "):
                    return follow.strip()
    return None


def _send_curl(command: str) -> tuple[int, str]:
    """Send the printed command: with curl itself when installed, else as httpx would."""
    if shutil.which("curl"):
        out = subprocess.run(
            ["bash", "-c", command + " -w '\\n%{http_code}'"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        body, _, status = out.stdout.rpartition("\n")
        return int(status), body
    words = shlex.split(command)
    headers = dict(words[i + 1].split(": ", 1) for i, word in enumerate(words) if word == "-H")
    reply = httpx.request(
        words[words.index("-X") + 1],
        words[words.index("-X") + 2],
        headers=headers,
        content=words[words.index("--data-binary") + 1].encode(),
    )
    return reply.status_code, reply.text


def test_the_readme_first_command_prints_a_curl_that_makes_a_succeeded_run(
    tmp_path: Path,
) -> None:
    """README: the example host prints a curl; pasting it gets 200 and a succeeded run that
    logged the body (what ./scripts/run-example serves, on a fresh SQLite file)."""
    env = {
        **os.environ,
        "HOOKPOINT_DATABASE_URL": f"sqlite:///{tmp_path / 'readme.db'}",
        "HOOKPOINT_LOG_LEVEL": "WARNING",
    }
    env.pop("HOOKPOINT_SAMPLE_CURL", None)
    with example_host(tmp_path, env) as (port, output):
        banner = output.read_text()
        command = _printed_curl(banner, f"http://127.0.0.1:{port}/webhooks/caldotcom")
        assert command is not None, banner
        status, body = _send_curl(command)
        assert status == 200 and json.loads(body)["runs"] == 1, body
        request_id = json.loads(body)["id"]

        api = f"http://127.0.0.1:{port}/api"
        deadline = time.time() + 30
        while True:
            runs = httpx.get(f"{api}/runs", params={"request_id": request_id}).json()["items"]
            if runs and runs[0]["status"] == "succeeded":
                break
            assert time.time() < deadline, runs
            time.sleep(0.2)
        run = httpx.get(f"{api}/runs/{runs[0]['id']}").json()
        logged = json.dumps(run["logs"])
        assert "Body" in logged and "BOOKING_CANCELLED" in logged


def test_sample_curls_stay_out_of_a_public_hosts_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The printed curl is a validly signed delivery: printed for loopback hosts (and on
    request), never by default into the logs of a host that listens publicly."""
    from examples.app import hp
    from hookpoint._settings import Settings
    from hookpoint.cli import _describe_endpoints

    def banner(**settings: Any) -> str:
        _describe_endpoints(hp, Settings(**settings))
        return capsys.readouterr().out

    for loopback in ("127.0.0.1", "::1", "localhost"):
        assert "curl -sS" in banner(host=loopback)
    public = banner(host="0.0.0.0")
    assert "curl -sS" not in public and "X-Cal-Signature-256" not in public
    assert "--sample-curl prints them" in public
    assert "curl -sS" in banner(host="0.0.0.0", sample_curl=True)
    quiet = banner(host="127.0.0.1", sample_curl=False)
    assert "curl -sS" not in quiet and "--sample-curl" not in quiet


def test_a_short_admin_token_is_warned_about_at_start(capsys: pytest.CaptureFixture[str]) -> None:
    from hookpoint._settings import Settings
    from hookpoint.cli import _warn_about_access

    _warn_about_access(Settings(admin_token="short"))
    assert "only 5 characters" in capsys.readouterr().out
    _warn_about_access(Settings(admin_token="x" * 32))
    assert capsys.readouterr().out == ""
    _warn_about_access(Settings())
    assert "loopback clients only" in capsys.readouterr().out


def test_requests_show_masks_the_endpoints_secret_in_the_body_with_app(tmp_path: Path) -> None:
    """Microsoft Graph sends its clientState (the endpoint's secret) in the body: with --app the
    CLI knows the endpoint's secrets and masks them, as the API and the dashboard do."""
    db = tmp_path / "show.db"
    secret = "dev-caldotcom-secret"  # examples.app's caldotcom endpoint secret
    body = json.dumps({"note": f"the secret {secret} in a body"}).encode()
    request_id = seed_request(db, "caldotcom", body).request_id
    env = {**os.environ, "HOOKPOINT_DATABASE_URL": f"sqlite:///{db}"}
    env.pop("CALDOTCOM_SECRET", None)
    plain = as_json("requests", "show", request_id, env=env)
    assert secret in plain["body"]
    masked = as_json("requests", "show", request_id, "--app", "examples.app:hp", env=env)
    assert secret not in masked["body"] and "********" in masked["body"]


# -- hostile stored text (security issue 22, finding 3) --------------------------------------------

sys.path.insert(0, str(Path(__file__).resolve().parent))
try:
    from hostile_app import HOSTILE_TEXTS, UNSAFE_OUTPUT, shown
finally:
    sys.path.pop(0)


def seed_hostile(db: Path) -> dict[str, tuple[str, str]]:
    """Per hostile text: a request with it as event type (and one as endpoint id), whose run
    logged it and failed with it as error. Returns ``{text: (request id, run id)}``."""
    import asyncio

    from hookpoint.store import LogLine, NewRequest, NewRun, new_id, open_store

    async def seed() -> dict[str, tuple[str, str]]:
        made: dict[str, tuple[str, str]] = {}
        async with open_store(str(db)) as store:
            for i, text in enumerate(HOSTILE_TEXTS.values()):
                result = await store.ingest(
                    NewRequest(
                        id=new_id(),
                        endpoint_id=text if i == 0 else "ep",
                        method="POST",
                        url=f"http://127.0.0.1/webhooks/ep?q={text}",
                        headers=(("X-GitHub-Event", text),),
                        body=text.encode(),
                        received_at=time.time(),
                        event_type=text,
                        event_id=text,
                        runs=(NewRun(job_id="job", job_version="1", max_attempts=1),),
                    )
                )
                [claimed] = await store.claim_runs("w", limit=1, lease_seconds=60)
                run_id = claimed.run.id
                line = LogLine(run_id, 1, time.time(), "info", text, {"value": text})
                await store.append_logs([line])
                assert await store.fail_attempt("w", run_id, 1, error=text, retry_at=None)
                made[text] = (result.request_id, run_id)
        return made

    return asyncio.run(seed())


def test_hostile_stored_text_reaches_the_terminal_only_escaped(tmp_path: Path) -> None:
    """Event types, endpoint ids, errors and log lines are sender- or job-controlled: every CLI
    view shows them literally (Rich markup is not interpreted, controls are escapes), and no
    escape sequence, control or bidi character reaches the terminal."""
    db = tmp_path / "hostile.db"
    made = seed_hostile(db)
    env = {**os.environ, "HOOKPOINT_DATABASE_URL": f"sqlite:///{db}", "COLUMNS": "400"}

    def run(*args: str) -> str:
        out = cli(*args, env=env)  # exit code 0 asserted there
        assert "Traceback" not in out.stderr, out.stderr
        assert not UNSAFE_OUTPUT.search(out.stdout + out.stderr), (args, out.stdout)
        return out.stdout

    tables = run("requests", "list", "--limit", "500") + run("runs", "list", "--limit", "500")
    listed = json.loads(run("requests", "list", "--limit", "500", "--json"))
    assert {r["event_type"] for r in listed} == set(HOSTILE_TEXTS.values())
    errors = {r["last_error"] for r in json.loads(run("runs", "list", "--json"))}
    assert errors == set(HOSTILE_TEXTS.values())
    for name, text in HOSTILE_TEXTS.items():
        request_id, run_id = made[text]
        assert shown(text) in tables, (name, shown(text), tables)
        detail = json.loads(run("requests", "show", request_id))
        assert (detail["event_type"], detail["body"]) == (text, text), name
        assert detail["headers"] == [["X-GitHub-Event", text]]
        one_run = json.loads(run("runs", "show", run_id))
        assert one_run["last_error"] == text and one_run["logs"][0]["message"] == text
        logs = run("runs", "logs", run_id)
        assert f"INFO  {shown(text)} " in logs, (name, logs)
        [line] = json.loads(run("runs", "logs", run_id, "--json"))
        assert line["message"] == text and line["data"] == {"value": text}
    assert "[link=https://evil.example/x]BOOKING_CANCELLED[/link]" in tables
    assert "\\x1b]8;;https://evil.example\\x1b\\X\\x1b]8;;\\x1b\\" in tables


def test_a_failing_command_shows_hostile_text_escaped_too(tmp_path: Path) -> None:
    env = {**os.environ, "HOOKPOINT_DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"}
    out = cli("runs", "logs", "\x1b[2J[/x]\u202e", env=env, check=False)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "no run \\x1b[2J[/x]\\u202e" in out.stderr
    assert not UNSAFE_OUTPUT.search(out.stdout + out.stderr)
