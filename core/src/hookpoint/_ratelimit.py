"""Token-bucket ingest rate limits: per endpoint and global, answered with 429 + Retry-After."""

from __future__ import annotations

import time

__all__ = ["RateLimiter"]


class _Bucket:
    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.stamp = now

    def wait(self, now: float) -> float:
        """Refill up to ``now``; 0 when a token is there, else the seconds until one is."""
        if now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
        if self.tokens >= 1.0:
            return 0.0
        return (1.0 - self.tokens) / self.rate


class RateLimiter:
    """``rate`` requests/s per endpoint and ``global_rate`` over all (0 = unlimited); bursts of
    up to one second's worth are allowed. A request takes a token from both buckets or from
    neither: one refused by its endpoint's limit does not use up the global budget."""

    def __init__(self, rate: float = 0.0, global_rate: float = 0.0) -> None:
        self.rate = rate
        self.global_rate = global_rate
        self._buckets: dict[str, _Bucket] = {}
        self._global = (
            _Bucket(global_rate, max(1.0, global_rate), time.monotonic())
            if global_rate > 0
            else None
        )

    @property
    def enabled(self) -> bool:
        return self.rate > 0 or self._global is not None

    def check(self, endpoint_id: str) -> float:
        """0 when the request may go on (its tokens are taken), else the seconds to wait."""
        now = time.monotonic()
        bucket: _Bucket | None = None
        if self.rate > 0:
            bucket = self._buckets.get(endpoint_id)
            if bucket is None:
                bucket = self._buckets[endpoint_id] = _Bucket(self.rate, max(1.0, self.rate), now)
        wait = 0.0
        for b in (self._global, bucket):
            if b is not None:
                wait = max(wait, b.wait(now))
        if wait > 0:
            return wait
        for b in (self._global, bucket):
            if b is not None:
                b.tokens -= 1.0
        return 0.0
