"""Running the host under hypercorn, and standalone workers."""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING

from hypercorn.asyncio import serve
from hypercorn.config import Config

if TYPE_CHECKING:
    from ._app import Hookpoint
    from ._settings import Settings

__all__ = ["hypercorn_config", "run_worker_forever", "serve_forever"]


def hypercorn_config(settings: Settings) -> Config:
    config = Config()
    host = settings.host
    config.bind = [f"[{host}]:{settings.port}" if ":" in host else f"{host}:{settings.port}"]
    config.workers = settings.workers
    config.accesslog = None
    config.keep_alive_timeout = settings.keep_alive_timeout
    # A slow sender cannot hold a connection forever: the whole request must arrive in time.
    config.read_timeout = int(settings.read_timeout)
    config.h11_max_incomplete_size = 64 * 1024
    config.graceful_timeout = 10.0
    return config


def serve_forever(target: str, hp: Hookpoint, settings: Settings) -> None:
    """Serve ``hp`` until SIGINT/SIGTERM. With several workers, hypercorn re-imports the app in
    each process through ``hookpoint._entry:from_env()``."""
    from ._server import HookpointServer

    config = hypercorn_config(settings)
    if settings.workers > 1:
        from hypercorn.run import run

        os.environ["HOOKPOINT_APP"] = target
        for name, value in settings.model_dump(exclude_none=True).items():
            if name == "admin_token" and settings.admin_token is not None:
                value = settings.admin_token.get_secret_value()
            os.environ[f"HOOKPOINT_{name.upper()}"] = str(value)
        config.application_path = "hookpoint._entry:from_env()"
        run(config)
        return
    server = HookpointServer(hp, settings)

    async def main() -> None:
        stop = asyncio.Event()
        from .cli import install_stop_signals

        install_stop_signals(asyncio.get_running_loop(), stop)
        await serve(server, config, shutdown_trigger=stop.wait)  # type: ignore[arg-type]

    asyncio.run(main())


async def run_worker_forever(hp: Hookpoint, settings: Settings) -> None:
    from ._engine import Worker
    from ._http import new_client
    from .store import open_store

    store = open_store(settings.database_url, synchronous=settings.sqlite_synchronous)
    await store.open()
    http = new_client()
    worker = Worker(
        store,
        hp.jobs,
        http=http,
        concurrency=settings.worker_concurrency,
        lease_seconds=settings.lease_seconds,
        payload_models=hp.payload_models(),
    )
    stop = asyncio.Event()
    from .cli import install_stop_signals

    install_stop_signals(asyncio.get_running_loop(), stop)
    try:
        await worker.start()
        await stop.wait()
    finally:
        await worker.stop()
        await http.aclose()
        await store.close()
