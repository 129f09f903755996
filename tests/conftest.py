"""Fixtures shared by the top-level tests (the store tests have their own in store/)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
try:
    from pg_schema import fresh_schema
finally:
    sys.path.pop(0)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A store URL on a fresh PostgreSQL schema (``?search_path=<schema>``), dropped after the
    test; skips when PostgreSQL is unreachable, fails instead under ``CI=true``."""
    with fresh_schema("hp_host") as schema:
        yield schema.url
