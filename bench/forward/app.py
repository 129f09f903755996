"""The app ``bench/forward/run.py`` serves: one unverified endpoint forwarded to the URL in
``BENCH_FORWARD_TO`` (not a benchmark itself)."""

from __future__ import annotations

import os

from hookpoint import Hookpoint

hp = Hookpoint(id="bench-forward")
endpoint = hp.define_http_endpoint(id="in", source="bench", verify="none", dedupe=False)
hp.forward(endpoint, os.environ.get("BENCH_FORWARD_TO", "http://127.0.0.1:9/"), timeout=10)
