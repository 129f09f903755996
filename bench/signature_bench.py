"""Cost of signature verification next to the raw HMAC it cannot avoid.

    .venv/bin/python bench/signature_bench.py [--rounds R] [--min-time SECONDS]

For a 1.5 KB and a 1 MiB body, per-call time of:

* **baseline**: ``hmac.new(key, body, hashlib.sha256).digest()`` of the same bytes, measured in
  the same run (the work any verifier must do);
* ``verify_request_signature(request, header_name=..., secret=...)`` on a prebuilt
  :class:`~hookpoint.WebhookRequest` (header lookup, prefix strip, decode, HMAC, constant-time
  compare), with one secret and with three (rotation, the match last);
* ``signing.verify_hmac`` (the plugin-level primitive, signature already extracted);

and the ratio to the baseline. Also, for context on the hot path: building a ``WebhookRequest``
with typical headers, and its first ``filter_view()`` (parses the JSON body).

Cases are timed in ``--rounds`` interleaved rounds (each case runs about ``--min-time``
seconds per round) and each figure is that case's best round, so it estimates the unloaded cost
on this machine and background load affects every case of a table alike.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import platform
import timeit
from collections.abc import Callable
from typing import Any

from hookpoint import signing
from hookpoint._request import WebhookRequest
from hookpoint._signature import verify_request_signature

SECRET = "whsec_benchmark_secret_value_0123456789"
HEADER = "X-Hub-Signature-256"
BASELINE = "baseline hmac.new(...).digest()"
URL = "https://hooks.example.test/webhooks/github?source=bench"


def _json_body(size: int) -> bytes:
    """A realistic JSON object of about ``size`` bytes."""
    items: list[dict[str, Any]] = []
    body = b""
    while len(body) < size:
        n = len(items)
        items.append({"id": f"item_{n:06d}", "qty": n % 7, "name": f"Product {n}", "ok": True})
        body = json.dumps({"type": "order.created", "id": "evt_1", "items": items}).encode()
    return body


def _headers(signature: str) -> list[tuple[str, str]]:
    return [
        ("Host", "hooks.example.test"),
        ("User-Agent", "GitHub-Hookshot/abc123"),
        ("Accept", "*/*"),
        ("Content-Type", "application/json"),
        ("Content-Length", "1536"),
        ("X-GitHub-Event", "push"),
        ("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
        ("X-GitHub-Hook-ID", "292430182"),
        ("X-Forwarded-For", "140.82.115.1"),
        ("X-Forwarded-Proto", "https"),
        ("Accept-Encoding", "gzip"),
        (HEADER, signature),
    ]


def _interleaved(
    cases: list[tuple[str, Callable[[], object]]], rounds: int, min_time: float
) -> dict[str, float]:
    """Best per-call seconds of each case over ``rounds`` interleaved rounds.

    Every round times each case once (for about ``min_time`` seconds), so background load hits
    all cases alike and the ratios stay meaningful on a busy machine.
    """
    numbers: dict[str, int] = {}
    for name, fn in cases:
        number, elapsed = timeit.Timer(fn).autorange()
        numbers[name] = max(1, int(number * min_time / max(elapsed, 1e-9)))
    best = dict.fromkeys(numbers, float("inf"))
    for _ in range(rounds):
        for name, fn in cases:
            per_call = timeit.Timer(fn).timeit(numbers[name]) / numbers[name]
            best[name] = min(best[name], per_call)
    return best


def _fmt(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3f} ms"
    return f"{seconds * 1e6:.2f} µs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--min-time", type=float, default=0.05)
    args = parser.parse_args()
    rounds, min_time = args.rounds, args.min_time

    print(f"Python {platform.python_version()} on {platform.machine()} ({platform.processor()})")
    print(f"{'body':>9} | {'case':<48} | {'per call':>11} | {'× baseline':>10}")
    print("-" * 88)
    key = SECRET.encode()
    for label, size in (("1.5 KB", 1536), ("1 MiB", 1 << 20)):
        body = _json_body(size)[:size]
        signature = "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
        request = WebhookRequest(url=URL, headers=_headers(signature), body=body)
        assert verify_request_signature(request, header_name=HEADER, secret=SECRET)
        rotation = ["old-secret-1", "old-secret-2", SECRET]

        def baseline(body: bytes = body) -> bytes:
            return hmac.new(key, body, hashlib.sha256).digest()

        def one_shot(body: bytes = body) -> bytes:
            return hmac.digest(key, body, "sha256")

        def verify(request: WebhookRequest = request) -> object:
            return verify_request_signature(request, header_name=HEADER, secret=SECRET)

        def verify_rotation(
            request: WebhookRequest = request, rotation: list[str] = rotation
        ) -> object:
            return verify_request_signature(request, header_name=HEADER, secret=rotation)

        def primitive(body: bytes = body, signature: str = signature) -> object:
            return signing.verify_hmac(body, signature, SECRET, encoding="hex")

        cases: list[tuple[str, Callable[[], object]]] = [
            (BASELINE, baseline),
            ('hmac.digest(key, body, "sha256") (for info)', one_shot),
            ("verify_request_signature, 1 secret", verify),
            ("verify_request_signature, 3 secrets (rotation)", verify_rotation),
            ("signing.verify_hmac, 1 secret", primitive),
        ]
        best = _interleaved(cases, rounds, min_time)
        for name, _ in cases:
            ratio = best[name] / best[BASELINE]
            print(f"{label:>9} | {name:<48} | {_fmt(best[name]):>11} | {ratio:>10.2f}")

    small = _json_body(1536)[:1536]
    valid_small = _json_body(1400)
    headers = _headers("sha256=" + "0" * 64)

    def construct() -> object:
        return WebhookRequest(url=URL, headers=headers, body=small)

    def construct_and_view() -> object:
        return WebhookRequest(url=URL, headers=headers, body=valid_small).filter_view()

    print("-" * 88)
    hot = _interleaved(
        [
            ("WebhookRequest(...) with 12 headers", construct),
            ("WebhookRequest(...) + first filter_view() 1.4 KB", construct_and_view),
        ],
        rounds,
        min_time,
    )
    for name, seconds in hot.items():
        print(f"{'':>9} | {name:<48} | {_fmt(seconds):>11} |")


if __name__ == "__main__":
    main()
