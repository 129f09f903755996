"""The app the hostile-input, abuse and fault tests serve (not a test module).

Endpoints cover every way a request is verified: a provider plugin (``caldotcom``), a provider
with a GET handshake (``whatsapp``), core's generic ``hmac`` provider, a user ``verify`` callable
(``callable``) and the explicit opt-out (``open``, ``verify="none"``, POST and PUT). Every job
parses and logs what it got, so hostile bodies that are accepted also go through the worker.

Secrets come from the environment so a test can grep logs and API answers for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cal_samples

from hookpoint import Hookpoint, WebhookRequest, verify_request_signature

CAL_SECRET = os.environ.get("HOSTILE_CAL_SECRET", "hostile-cal-secret-0123456789")
WA_SECRET = os.environ.get("HOSTILE_WA_SECRET", "hostile-wa-app-secret-0123456789")
WA_TOKEN = os.environ.get("HOSTILE_WA_TOKEN", "hostile-wa-verify-token-0123456789")
HMAC_SECRET = os.environ.get("HOSTILE_HMAC_SECRET", "hostile-hmac-secret-0123456789")
CALLABLE_SECRET = os.environ.get("HOSTILE_CALLABLE_SECRET", "hostile-callable-secret-0123456789")
HANG_SECONDS = float(os.environ.get("HOSTILE_HANG_SECONDS", "3600"))

hp = Hookpoint(id="hostile")

cal = hp.define_http_endpoint(
    id="caldotcom", source="cal.com", provider="caldotcom", secrets=[CAL_SECRET], dedupe_window=0
)
wa = hp.define_http_endpoint(
    id="whatsapp",
    source="whatsapp.com",
    provider="whatsapp",
    secrets=[WA_SECRET],
    settings={"verify_token": WA_TOKEN},
)
generic = hp.define_http_endpoint(
    id="generic",
    source="acme.dev",
    provider="hmac",
    secrets=[HMAC_SECRET],
    settings={"header_name": "X-Acme-Signature", "algorithm": "sha256", "prefix": "sha256="},
)
custom = hp.define_http_endpoint(
    id="callable",
    source="acme.dev",
    verify=lambda request: verify_request_signature(
        request, header_name="X-Custom-Signature", secret=CALLABLE_SECRET, algorithm="sha256"
    ),
)
opened = hp.define_http_endpoint(id="open", source="anyone", verify="none", methods=["POST", "PUT"])
hp.define_http_endpoint(id="disabled", source="x", verify="none", enabled=False)


async def _consume(request: WebhookRequest, io: Any) -> None:
    """What a typical job does with a body: parse it (JSON, else text) and log it."""
    try:
        data: Any = await request.json()
    except ValueError:
        data = {"text": str(request.text())[:200]}
    await io.logger.info("received", {"body": data if isinstance(data, dict | list) else [data]})


@hp.job(
    id="cal-any",
    name="cal",
    version="1",
    trigger=cal.on_request(),
    retry={"max_attempts": 5, "initial_delay": 0.2},
)
async def cal_any(request: WebhookRequest, io: Any, ctx: Any) -> dict[str, Any]:
    await _consume(request, io)
    return {"event": ctx.event_type}


@hp.job(id="wa-any", name="wa", version="1", trigger=wa.on_request(), retry={"max_attempts": 1})
async def wa_any(request: WebhookRequest, io: Any, ctx: Any) -> None:
    await _consume(request, io)


@hp.job(
    id="generic-any",
    name="generic",
    version="1",
    trigger=generic.on_request(),
    retry={"max_attempts": 1},
)
async def generic_any(request: WebhookRequest, io: Any, ctx: Any) -> None:
    await _consume(request, io)


@hp.job(
    id="callable-any",
    name="callable",
    version="1",
    trigger=custom.on_request(),
    retry={"max_attempts": 1},
)
async def callable_any(request: WebhookRequest, io: Any, ctx: Any) -> None:
    await _consume(request, io)


@hp.job(
    id="open-any",
    name="open",
    version="1",
    trigger=opened.on_request(),
    retry={"max_attempts": 1},
)
async def open_any(request: WebhookRequest, io: Any, ctx: Any) -> None:
    await _consume(request, io)


# -- fault jobs, triggered by the "fault" field of an open request --------------------------------


@hp.job(
    id="hang",
    name="hang",
    version="1",
    trigger=opened.on_request(filter={"body": {"fault": ["hang"]}}),
    retry={"max_attempts": 2, "initial_delay": 0.05, "factor": 1.0, "jitter": 0.0},
    timeout=0.5,
)
async def hang(request: WebhookRequest, io: Any, ctx: Any) -> None:
    await io.logger.info("about to hang", {"attempt": ctx.attempt})
    await asyncio.sleep(HANG_SECONDS)


@hp.job(
    id="raise",
    name="raise",
    version="1",
    trigger=opened.on_request(filter={"body": {"fault": ["raise"]}}),
    retry={"max_attempts": 3, "initial_delay": 0.05, "factor": 1.0, "jitter": 0.0},
)
async def always_raise(request: WebhookRequest, io: Any, ctx: Any) -> None:
    raise RuntimeError(f"boom on attempt {ctx.attempt}")


# -- helpers for the tests that serve or call this app (no test collects this module) -------------

ADMIN_TOKEN = os.environ.get("HOSTILE_ADMIN_TOKEN", "hostile-admin-token-0123456789abcdef")


def hex_hmac(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def cal_headers(body: bytes, secret: str = CAL_SECRET) -> dict[str, str]:
    """A cal.com delivery's headers, signed over ``body``."""
    return cal_samples.cal_headers(body, secret)


def wa_headers(body: bytes, secret: str = WA_SECRET) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": "sha256=" + hex_hmac(secret, body),
    }


def generic_headers(body: bytes, secret: str = HMAC_SECRET) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-Acme-Signature": "sha256=" + hex_hmac(secret, body),
    }


def callable_headers(body: bytes, secret: str = CALLABLE_SECRET) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Custom-Signature": hex_hmac(secret, body)}


cal_body = cal_samples.cal_body  # (uid, trigger="BOOKING_CREATED")

# Text a sender or a job controls that a terminal must never interpret (security issue 22,
# finding 3): Rich markup, escape sequences (an OSC 8 hyperlink, clearing the screen, a one-byte
# C1 CSI), carriage return, BEL/backspace/DEL, bidi overrides and isolates.
HOSTILE_TEXTS = {
    "Rich closing tag": "[/x]",
    "Rich hyperlink markup": "[link=https://evil.example/x]BOOKING_CANCELLED[/link]",
    "OSC 8 hyperlink": "\x1b]8;;https://evil.example\x1b\\X\x1b]8;;\x1b\\",
    "clear screen": "\x1b[2J",
    "bidi override": "\u202eevil",
    "carriage return": "a\rb",
    "C1 CSI": "\x9b31m",
    "bell, backspace, DEL": "ding\x07back\x08del\x7f",
    "bidi isolate": "x\u2066y\u2069",
}
UNSAFE_OUTPUT = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
"""What must never reach a terminal: C0 controls but the newline, DEL, C1, bidi controls."""


def shown(text: str) -> str:
    """How the CLI shows ``text`` in a table or a log line: every control as an escape."""

    def one(c: str) -> str:
        if not (UNSAFE_OUTPUT.match(c) or c == "\n"):
            return c
        return f"\\x{ord(c):02x}" if ord(c) <= 0xFF else f"\\u{ord(c):04x}"

    return "".join(one(c) for c in text)


class Served:
    """A ``hookpoint serve hostile_app:hp`` (or another app) subprocess on a loopback port (see
    :func:`served`)."""

    def __init__(self, proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.proc = proc
        self.port = port
        self.log = log
        self.url = f"http://127.0.0.1:{port}"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def rss_kb(self) -> int:
        """Resident memory of the host process (VmRSS, KiB), read from /proc."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS line")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def served(
    tmp: Path,
    *,
    database_url: str | None = None,
    env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
    preexec_fn: Callable[[], Any] | None = None,
    ready_timeout: float = 60.0,
    app: str = "hostile_app:hp",
) -> Iterator[Served]:
    """Serve this app (or ``app``: another ``module:attr`` or a ``.toml`` file) in a subprocess
    (hypercorn, via the CLI); yield a :class:`Served`.

    ``HOOKPOINT_*`` defaults: the admin token above, WARNING logs, a short lease; ``env``
    overrides them. The process is stopped (SIGTERM, then SIGKILL) on exit.
    """
    import httpx

    here = Path(__file__).resolve().parent
    port = free_port()
    log = tmp / f"host-{port}.log"
    full_env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(here), os.environ.get("PYTHONPATH", "")]),
        "HOOKPOINT_ADMIN_TOKEN": ADMIN_TOKEN,
        "HOOKPOINT_LOG_LEVEL": "WARNING",
        "HOOKPOINT_LEASE_SECONDS": "5",
        **(env or {}),
    }
    url = database_url or f"sqlite:///{tmp / 'hostile.db'}"
    cmd = [sys.executable, "-m", "hookpoint.cli", "serve", app]
    cmd += ["--port", str(port), "--database-url", url, *args]
    with log.open("ab") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=here,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=preexec_fn,
        )
    host = Served(proc, port, log)
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"host exited at start-up:\n{host.log_text()[-4000:]}")
            try:
                if httpx.get(f"{host.url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"host never became ready:\n{host.log_text()[-4000:]}")
            time.sleep(0.1)
        yield host
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
