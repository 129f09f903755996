"""Entry for hypercorn worker processes: rebuild the server from ``HOOKPOINT_APP``."""

from __future__ import annotations

import os

from ._server import HookpointServer


def from_env() -> HookpointServer:
    from .cli import load_app

    target = os.environ.get("HOOKPOINT_APP")
    if not target:
        raise RuntimeError("HOOKPOINT_APP is not set")
    return HookpointServer(load_app(target))
