"""Experiment, not product code: the SQLite store's ingests committed by a separate process.

In one process the event loop and the SQLite writer thread share the GIL, so a commit cannot
overlap the loop's work without the two trading the GIL (docs/benchmarks.md, "Why SQLite stays
under the bare app at c16"). This module measures what a writer *process* would give: it patches
``SQLiteStore`` so that plain ingests (no dedupe key) are pickled, in chunks of ``CHUNK``, over a
socketpair to a child that inserts and commits them (``synchronous=FULL``) and answers which
ones are durable. Everything else still goes through the writer thread. No supervision, no
dedupe, no failure handling: enough to measure, not to ship.

    HOOKPOINT_LOG_LEVEL=WARNING .venv/bin/hookpoint serve \\
        bench.ingest.experiments.writer_process:hp --no-worker --port 8000
    # then drive it like bench/ingest/run.py does (wrk -t1 -c16 with its Lua script)
"""

from __future__ import annotations

import asyncio
import os
import pickle
import socket
import sqlite3
import struct
import subprocess
import sys
from typing import Any

from bench.ingest.bench_app import hp
from hookpoint.store import _sqlite, _sqlite_writer

__all__ = ["hp"]

CHUNK = int(os.environ.get("WRITER_PROCESS_CHUNK", "4"))
_HEADER = struct.Struct("!I")


def _frame(payload: Any) -> bytes:
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


def _frames(buffer: bytearray) -> list[Any]:
    """Complete frames at the start of ``buffer`` (removed from it)."""
    out = []
    while len(buffer) >= _HEADER.size:
        (size,) = _HEADER.unpack_from(buffer)
        if len(buffer) < _HEADER.size + size:
            break
        out.append(pickle.loads(bytes(buffer[_HEADER.size : _HEADER.size + size])))
        del buffer[: _HEADER.size + size]
    return out


# -- the host side ---------------------------------------------------------------------------------


class _Replies(asyncio.Protocol):
    def __init__(self, store: Any) -> None:
        self.store = store
        self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        for reply in _frames(self.buffer):
            inflight = self.store._xp_inflight
            _sqlite_writer.resolve([(inflight.pop(seq), True, result) for seq, result in reply])
            self.store._notify()


_open = _sqlite.SQLiteStore.open
_submit = _sqlite.SQLiteStore._submit


async def _open_with_writer_process(self: Any) -> None:
    await _open(self)
    ours, theirs = socket.socketpair()
    self._xp_child = subprocess.Popen(  # noqa: ASYNC220 (once, at open; an experiment)
        [sys.executable, "-m", __name__, self.path, str(theirs.fileno())],
        pass_fds=[theirs.fileno()],
    )
    theirs.close()
    self._xp_inflight, self._xp_out, self._xp_seq, self._xp_flush_due = {}, [], 0, False
    loop = asyncio.get_running_loop()
    self._xp_transport, _ = await loop.connect_accepted_socket(lambda: _Replies(self), sock=ours)


def _flush(self: Any) -> None:
    self._xp_flush_due = False
    out, self._xp_out = self._xp_out, []
    if out:
        self._xp_transport.write(_frame(out))


def _submit_to_writer_process(self: Any, loop: asyncio.AbstractEventLoop, op: Any) -> None:
    if op.bulk is None or op.bulk.dedupe_key is not None or not hasattr(self, "_xp_transport"):
        _submit(self, loop, op)
        return
    self._xp_seq += 1
    self._xp_inflight[self._xp_seq] = op
    bulk = op.bulk
    self._xp_out.append((self._xp_seq, bulk.request_row, bulk.run_rows, bulk.result))
    if len(self._xp_out) >= CHUNK:  # hand over inside the wave, so commits overlap the loop
        _flush(self)
    elif not self._xp_flush_due:
        self._xp_flush_due = True
        loop.call_soon(_flush, self)


_sqlite.SQLiteStore.open = _open_with_writer_process  # type: ignore[method-assign]
_sqlite.SQLiteStore._submit = _submit_to_writer_process  # type: ignore[method-assign]


# -- the writer process ----------------------------------------------------------------------------


def _serve_writes(path: str, fd: int) -> None:
    sock = socket.socket(fileno=fd)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA busy_timeout = 5000")
    buffer = bytearray()
    while True:
        sock.setblocking(True)
        data = sock.recv(1 << 20)
        if not data:
            return
        buffer += data
        sock.setblocking(False)
        while True:  # take whatever else has arrived: that is the batch
            try:
                more = sock.recv(1 << 20)
            except BlockingIOError:
                break
            if not more:
                return
            buffer += more
        batch = [item for chunk in _frames(buffer) for item in chunk]
        if not batch:
            continue
        conn.execute("BEGIN IMMEDIATE")
        _sqlite_writer._insert_rows(
            conn,
            _sqlite_writer._REQUEST_COLUMNS,
            _sqlite_writer._REQUEST_ROW,
            [b[1] for b in batch],
        )
        runs = [row for b in batch for row in b[2]]
        if runs:
            _sqlite_writer._insert_rows(
                conn, _sqlite_writer._RUN_COLUMNS, _sqlite_writer._RUN_ROW, runs
            )
        conn.execute("COMMIT")
        sock.setblocking(True)
        sock.sendall(_frame([(b[0], b[3]) for b in batch]))


if __name__ == "__main__":
    _serve_writes(sys.argv[1], int(sys.argv[2]))
