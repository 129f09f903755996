"""Token-bucket ingest rate limits: per endpoint and global, answered with 429 + Retry-After."""

from __future__ import annotations

import time

__all__ = ["RateLimiter"]


class _Bucket:
    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, rate: float, capacity: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.stamp = time.monotonic()

    def take(self, now: float) -> float:
        """Take one token; return 0 when allowed, else the seconds until one is available."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


class RateLimiter:
    """``rate`` requests/s per endpoint and ``global_rate`` over all (0 = unlimited); bursts of
    up to one second's worth are allowed."""

    def __init__(self, rate: float = 0.0, global_rate: float = 0.0) -> None:
        self.rate = rate
        self.global_rate = global_rate
        self._buckets: dict[str, _Bucket] = {}
        self._global = _Bucket(global_rate, max(1.0, global_rate)) if global_rate > 0 else None

    @property
    def enabled(self) -> bool:
        return self.rate > 0 or self._global is not None

    def check(self, endpoint_id: str) -> float:
        now = time.monotonic()
        if self._global is not None:
            wait = self._global.take(now)
            if wait > 0:
                return wait
        if self.rate > 0:
            bucket = self._buckets.get(endpoint_id)
            if bucket is None:
                bucket = self._buckets[endpoint_id] = _Bucket(self.rate, max(1.0, self.rate))
            return bucket.take(now)
        return 0.0
