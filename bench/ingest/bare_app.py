"""The baseline: a bare Quart hello-world app, served by hypercorn with the same settings."""

from __future__ import annotations

from quart import Quart

app = Quart(__name__)


@app.route("/webhooks/<endpoint_id>", methods=["GET", "POST"])
async def hello(endpoint_id: str) -> str:
    return "hello world"
