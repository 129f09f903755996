"""EventFilter / RequestFilter matching speed.

    .venv/bin/python bench/filter_bench.py [--repeat N] [--min-time SECONDS]

Times ``matches`` for two filters against a realistic cal.com delivery (its filter view, as
``WebhookRequest.filter_view()`` builds and caches it):

* **typical**: the 3-key filter from the docs (body.triggerEvent, method, one header);
* **large**: a 20-key nested filter using every operator, arrays of objects included.

Every filter matches (so every condition is evaluated: the worst case for an AND). Each is
compared with a hand-written ``if`` chain doing the same checks, measured in the same run, and the
ratio is printed. Timings are per call: the minimum and the median of ``--repeat`` timeit runs.
"""

from __future__ import annotations

import argparse
import statistics
import timeit
from collections.abc import Callable
from typing import Any, TypeGuard

from hookpoint._filter import RequestFilter

VIEW: dict[str, Any] = {
    "method": "POST",
    "path": "/webhooks/caldotcom",
    "headers": {
        "host": "hooks.example.com",
        "user-agent": "node-fetch/1.0",
        "content-type": "application/json",
        "content-length": "1873",
        "x-cal-signature-256": "5d41402abc4b2a76b9719d911017c592",
        "x-cal-webhook-version": "2021-10-20",
        "accept-encoding": "gzip, deflate",
    },
    "query": {"source": "cal"},
    "body": {
        "triggerEvent": "BOOKING_CANCELLED",
        "createdAt": "2024-05-01T10:00:00.000Z",
        "payload": {
            "type": "30min",
            "title": "30 min meeting between Ann and Bob",
            "description": "",
            "startTime": "2024-05-02T10:00:00Z",
            "endTime": "2024-05-02T10:30:00Z",
            "length": 30,
            "status": "CANCELLED",
            "uid": "bFJeNb2uX8ANpT3JL5EfXw",
            "eventTypeId": 7,
            "cancellationReason": "double booked",
            "organizer": {
                "id": 5,
                "name": "Ann",
                "email": "ann@example.com",
                "timeZone": "Europe/London",
                "language": {"locale": "en"},
            },
            "attendees": [
                {"email": "bob@example.org", "name": "Bob", "timeZone": "UTC", "locale": "en"},
                {"email": "cy@example.net", "name": "Cy", "timeZone": "UTC", "locale": "fr"},
            ],
            "responses": {"name": "Bob", "email": "bob@example.org", "notes": "see you"},
            "metadata": {"videoCallUrl": "https://meet.example.com/abc"},
            "tags": ["vip", "q2"],
        },
    },
    "event": {"type": "BOOKING_CANCELLED", "id": "bFJeNb2uX8ANpT3JL5EfXw"},
}

TYPICAL: dict[str, Any] = {
    "body": {"triggerEvent": ["BOOKING_CANCELLED"]},
    "method": ["POST"],
    "headers": {"x-cal-webhook-version": ["2021-10-20"]},
}

LARGE: dict[str, Any] = {
    "method": ["POST"],
    "path": [{"$startsWith": "/webhooks/"}],
    "headers": {
        "content-type": [{"$startsWith": "application/json"}],
        "x-cal-webhook-version": ["2021-10-20"],
        "x-cal-signature-256": [{"$exists": True}],
        "user-agent": [{"$anythingBut": ["curl/8.0", "bot"]}],
    },
    "query": {"source": ["cal"], "debug": [{"$exists": False}]},
    "body": {
        "triggerEvent": ["BOOKING_CANCELLED", "BOOKING_RESCHEDULED"],
        "createdAt": [{"$startsWith": "2024-"}],
        "payload": {
            "type": ["30min"],
            "title": [{"$ignoreCaseEquals": "30 MIN MEETING BETWEEN ANN AND BOB"}],
            "length": [{"$between": [15, 60]}],
            "status": [{"$anythingBut": "ACCEPTED"}],
            "eventTypeId": [{"$gt": 0}, {"$lte": 100}],
            "uid": [{"$not": "deleted"}],
            "tags": [{"$includes": "vip"}],
            "organizer": {"email": [{"$endsWith": "@example.com"}]},
            "attendees": {"email": [{"$endsWith": "@example.net"}], "locale": ["fr"]},
            "responses": {"notes": [{"$isNull": False}]},
        },
    },
}


def typical_by_hand(view: dict[str, Any]) -> bool:
    """What a careful programmer writes for TYPICAL without a filter engine."""
    body = view.get("body")
    if not isinstance(body, dict):
        return False
    event = body.get("triggerEvent")
    if not (isinstance(event, str) and event == "BOOKING_CANCELLED"):
        return False
    method = view.get("method")
    if not (isinstance(method, str) and method == "POST"):
        return False
    headers = view.get("headers")
    if not isinstance(headers, dict):
        return False
    version = headers.get("x-cal-webhook-version")
    return isinstance(version, str) and version == "2021-10-20"


def _num(v: Any) -> TypeGuard[float]:
    return isinstance(v, int | float) and not isinstance(v, bool)


def large_by_hand(view: dict[str, Any]) -> bool:
    """LARGE written out by hand (same checks, same order of keys)."""
    if view.get("method") != "POST":
        return False
    path = view.get("path")
    if not (isinstance(path, str) and path.startswith("/webhooks/")):
        return False
    headers = view.get("headers")
    if not isinstance(headers, dict):
        return False
    ct = headers.get("content-type")
    if not (isinstance(ct, str) and ct.startswith("application/json")):
        return False
    if headers.get("x-cal-webhook-version") != "2021-10-20":
        return False
    if "x-cal-signature-256" not in headers:
        return False
    if headers.get("user-agent") in ("curl/8.0", "bot"):
        return False
    query = view.get("query")
    if not isinstance(query, dict) or query.get("source") != "cal" or "debug" in query:
        return False
    body = view.get("body")
    if not isinstance(body, dict):
        return False
    if body.get("triggerEvent") not in ("BOOKING_CANCELLED", "BOOKING_RESCHEDULED"):
        return False
    created = body.get("createdAt")
    if not (isinstance(created, str) and created.startswith("2024-")):
        return False
    p = body.get("payload")
    if not isinstance(p, dict) or p.get("type") != "30min":
        return False
    title = p.get("title")
    if not (isinstance(title, str) and title.lower() == "30 min meeting between ann and bob"):
        return False
    length = p.get("length")
    if not (_num(length) and 15 <= length <= 60):
        return False
    if p.get("status") == "ACCEPTED":
        return False
    etid = p.get("eventTypeId")
    if not (_num(etid) and 0 < etid <= 100):
        return False
    if p.get("uid") == "deleted":
        return False
    tags = p.get("tags")
    if not (isinstance(tags, list) and "vip" in tags):
        return False
    organizer = p.get("organizer")
    if not isinstance(organizer, dict):
        return False
    email = organizer.get("email")
    if not (isinstance(email, str) and email.endswith("@example.com")):
        return False
    attendees = p.get("attendees")
    if not isinstance(attendees, list):
        return False
    for a in attendees:
        if isinstance(a, dict):
            e = a.get("email")
            if isinstance(e, str) and e.endswith("@example.net") and a.get("locale") == "fr":
                break
    else:
        return False
    responses = p.get("responses")
    return isinstance(responses, dict) and responses.get("notes") is not None


def count_conditions(spec: Any) -> int:
    if isinstance(spec, dict):
        return sum(count_conditions(v) for v in spec.values())
    return 1


def measure(
    rows: list[tuple[str, Callable[[], Any]]], repeat: int, min_time: float
) -> dict[str, tuple[float, float]]:
    """(min, median) seconds per call of each row. The rows take turns (round-robin), so a burst
    of load on the machine spreads over all of them instead of spoiling one."""
    timers: dict[str, tuple[timeit.Timer, int]] = {}
    for name, fn in rows:
        timer = timeit.Timer(fn)
        number, elapsed = timer.autorange()
        timers[name] = (timer, max(number, int(number * min_time / max(elapsed, 1e-9))))
    runs: dict[str, list[float]] = {name: [] for name, _ in rows}
    for _ in range(repeat):
        for name, (timer, number) in timers.items():
            runs[name].append(timer.timeit(number) / number)
    return {name: (min(r), statistics.median(r)) for name, r in runs.items()}


def fmt(seconds: float) -> str:
    ns = seconds * 1e9
    return f"{ns:8.0f} ns" if ns < 10_000 else f"{ns / 1000:8.2f} µs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--min-time", type=float, default=0.1, help="seconds per timeit run")
    args = parser.parse_args()

    typical = RequestFilter(TYPICAL)
    large = RequestFilter(LARGE)
    assert typical.matches(VIEW) and typical_by_hand(VIEW)
    assert large.matches(VIEW) and large_by_hand(VIEW)
    typical_event = typical.event_filter
    large_event = large.event_filter

    class Request:  # a request whose view is cached, like WebhookRequest.filter_view()
        def filter_view(self) -> dict[str, Any]:
            return VIEW

    request = Request()

    rows: list[tuple[str, Callable[[], Any]]] = [
        ("baseline: dict lookup (view['method'] == 'POST')", lambda: VIEW["method"] == "POST"),
        ("typical  hand-written if chain", lambda: typical_by_hand(VIEW)),
        ("typical  EventFilter.matches(view)", lambda: typical_event.matches(VIEW)),
        ("typical  RequestFilter.matches(view)", lambda: typical.matches(VIEW)),
        ("typical  RequestFilter.matches(request)", lambda: typical.matches(request)),
        ("large    hand-written if chain", lambda: large_by_hand(VIEW)),
        ("large    EventFilter.matches(view)", lambda: large_event.matches(VIEW)),
        ("large    RequestFilter.matches(request)", lambda: large.matches(request)),
        ("compile  RequestFilter(TYPICAL)", lambda: RequestFilter(TYPICAL)),
        ("compile  RequestFilter(LARGE)", lambda: RequestFilter(LARGE)),
    ]
    print(
        f"typical filter: {count_conditions(TYPICAL)} conditions; "
        f"large filter: {count_conditions(LARGE)} conditions (all match)"
    )
    print(f"{'':48} {'min':>11} {'median':>11}")
    results = measure(rows, args.repeat, args.min_time)
    for name, (lo, med) in results.items():
        print(f"{name:48} {fmt(lo)} {fmt(med)}")

    def ratio(engine: str, by_hand: str) -> str:
        return f"{results[engine][0] / results[by_hand][0]:.2f}x"

    print()
    print(
        "typical: RequestFilter.matches(request) / hand-written =",
        ratio("typical  RequestFilter.matches(request)", "typical  hand-written if chain"),
    )
    print(
        "large:   RequestFilter.matches(request) / hand-written =",
        ratio("large    RequestFilter.matches(request)", "large    hand-written if chain"),
    )


if __name__ == "__main__":
    main()
