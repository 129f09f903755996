"""Retry policy of a job: exponential backoff with jitter, up to a number of attempts.

The defaults follow the design brief: 8 attempts, first retry after 1 s, factor 2, capped at 1 h,
±20 % jitter. Attempt ``n`` (1-based) that fails is retried after
``min(max_delay, initial_delay * factor ** (n - 1))`` seconds, scaled by a random factor in
``[1 - jitter, 1 + jitter]`` and never beyond ``max_delay``. The run is marked ``failed`` (the
dead-letter state) when attempt ``max_attempts`` fails, or at once when the error is a
:class:`~hookpoint.DoNotRetry` or one of the policy's ``do_not_retry`` types. A
:class:`~hookpoint.RetryAfter` replaces the backoff of that one retry by its own delay (capped
by ``max_delay``).
"""

from __future__ import annotations

import random
import time
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ._errors import DoNotRetry

__all__ = ["RetryPolicy"]


class _Uniform(Protocol):
    def uniform(self, a: float, b: float, /) -> float: ...


class RetryPolicy(BaseModel):
    """How often and when a failed attempt (of a job run, or of an ``io.run_task`` step) is
    tried again.

    >>> RetryPolicy(jitter=0).delay(3)
    4.0
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    max_attempts: int = Field(default=8, ge=1)
    """Attempts in total, the first one included (1 = never retry)."""
    initial_delay: float = Field(default=1.0, ge=0.0, allow_inf_nan=False)
    """Seconds between attempt 1 failing and attempt 2 (before jitter)."""
    factor: float = Field(default=2.0, ge=1.0, allow_inf_nan=False)
    """Each further delay is this many times the previous one."""
    max_delay: float = Field(default=3600.0, ge=0.0, allow_inf_nan=False)
    """No delay is longer than this (jitter included)."""
    jitter: float = Field(default=0.2, ge=0.0, lt=1.0)
    """Relative spread: 0.2 means each delay is scaled by a random factor in [0.8, 1.2]."""
    do_not_retry: tuple[type[BaseException], ...] = ()
    """Exception types that fail the run at once (``hookpoint.DoNotRetry`` always does)."""

    @field_validator("do_not_retry", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        # Accept a single exception class as well as a tuple/list of them.
        if isinstance(value, type):
            return (value,)
        if isinstance(value, list):
            return tuple(value)
        return value

    def delay(self, attempt: int, rng: _Uniform = random) -> float:
        """Seconds to wait after attempt ``attempt`` (1-based) failed, jitter included."""
        if attempt < 1:
            raise ValueError(f"attempt must be >= 1, got {attempt}")
        try:
            base = min(self.max_delay, self.initial_delay * self.factor ** (attempt - 1))
        except OverflowError:
            base = self.max_delay
        if self.jitter:
            base *= 1.0 + rng.uniform(-self.jitter, self.jitter)
        return max(0.0, min(self.max_delay, base))

    def should_retry(self, error: BaseException) -> bool:
        """False for errors that mean "fail now": ``DoNotRetry`` and the ``do_not_retry`` types.

        This does not look at the attempt count; see :meth:`next_retry_at`.
        """
        return not isinstance(error, (DoNotRetry, *self.do_not_retry))

    def next_retry_at(
        self,
        attempt: int,
        now: float | None = None,
        *,
        max_attempts: int | None = None,
        rng: _Uniform = random,
    ) -> float | None:
        """Unix time at which to try again after attempt ``attempt`` failed, or None when that
        was the last attempt (``max_attempts``, by default the policy's own)."""
        limit = self.max_attempts if max_attempts is None else max_attempts
        if attempt >= limit:
            return None
        return (time.time() if now is None else now) + self.delay(attempt, rng)

    def retry_after_at(
        self,
        seconds: float,
        attempt: int,
        now: float | None = None,
        *,
        max_attempts: int | None = None,
    ) -> float | None:
        """Like :meth:`next_retry_at`, but after ``seconds`` (a :class:`~hookpoint.RetryAfter`,
        a sender's ``Retry-After``) instead of the backoff: capped by ``max_delay``, no
        jitter; None when attempt ``attempt`` was the last one."""
        limit = self.max_attempts if max_attempts is None else max_attempts
        if attempt >= limit:
            return None
        return (time.time() if now is None else now) + max(0.0, min(seconds, self.max_delay))
