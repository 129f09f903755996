"""Points in time as the API and the CLI take them: Unix seconds, ISO-8601, or a relative age."""

from __future__ import annotations

import math
import re
import time
from datetime import UTC, datetime

__all__ = ["parse_time"]

_AGO = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
_UNIT = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}


def _problem(name: str) -> str:
    return f"{name} must be Unix seconds, ISO-8601 or an age like 10m, 2h, 7d"


def parse_time(value: str | None, name: str, *, now: float | None = None) -> float | None:
    """Unix seconds for ``value``: Unix seconds, ISO-8601 (UTC unless it names an offset), or an
    age such as ``90s``, ``10m``, ``2h``, ``7d``, ``1w`` (that long before ``now``). ``None``
    or ``""``: ``None``. Anything else is a ``ValueError`` naming ``name``."""
    if value is None or value == "":
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:  # NaN compares false with everything, inf with nothing; 400 digits overflow to inf
        if not math.isfinite(seconds):
            raise ValueError(_problem(name))
        return seconds
    ago = _AGO.fullmatch(value.strip())
    if ago is not None:
        base = time.time() if now is None else now
        return base - float(ago.group(1)) * _UNIT[ago.group(2)]
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(_problem(name)) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()
