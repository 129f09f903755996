"""RetryPolicy: exponential backoff with jitter, attempt limits, "fail now" errors."""

from __future__ import annotations

import random

import pydantic
import pytest

from hookpoint._errors import DoNotRetry
from hookpoint._retry import RetryPolicy


def test_defaults_follow_the_design_brief() -> None:
    policy = RetryPolicy()
    assert policy.max_attempts == 8
    assert policy.initial_delay == 1.0
    assert policy.factor == 2.0
    assert policy.max_delay == 3600.0
    assert policy.jitter == 0.2
    assert policy.do_not_retry == ()


def test_delays_grow_exponentially_and_are_capped() -> None:
    policy = RetryPolicy(initial_delay=1.0, factor=2.0, max_delay=60.0, jitter=0)
    assert [policy.delay(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert policy.delay(10_000) == 60.0  # no OverflowError for absurd attempt numbers
    assert RetryPolicy(factor=1.0, jitter=0, initial_delay=5).delay(7) == 5.0


def test_jitter_stays_within_its_band_and_spreads() -> None:
    policy = RetryPolicy(initial_delay=10.0, factor=2.0, jitter=0.2)
    rng = random.Random(42)
    samples = [policy.delay(2, rng) for _ in range(2000)]
    assert all(16.0 <= s <= 24.0 for s in samples)
    assert min(samples) < 16.5 and max(samples) > 23.5  # both ends of ±20 % are reached
    assert 19.5 < sum(samples) / len(samples) < 20.5


def test_jitter_never_exceeds_max_delay() -> None:
    policy = RetryPolicy(initial_delay=100.0, max_delay=100.0, jitter=0.5)
    rng = random.Random(1)
    samples = [policy.delay(3, rng) for _ in range(500)]
    assert max(samples) <= 100.0
    assert min(samples) >= 50.0


def test_default_rng_is_the_random_module() -> None:
    policy = RetryPolicy(initial_delay=1.0, jitter=0.2)
    random.seed(7)
    first = policy.delay(1)
    random.seed(7)
    assert policy.delay(1) == first


def test_next_retry_at_and_the_last_attempt() -> None:
    policy = RetryPolicy(max_attempts=3, initial_delay=0.5, factor=3.0, jitter=0)
    assert policy.next_retry_at(1, now=1000.0) == 1000.5
    assert policy.next_retry_at(2, now=1000.0) == 1001.5
    assert policy.next_retry_at(3, now=1000.0) is None
    assert policy.next_retry_at(4, now=1000.0) is None
    # The run's own attempt limit (stored at ingest) may override the policy's.
    assert policy.next_retry_at(3, now=1000.0, max_attempts=5) == 1004.5
    assert policy.next_retry_at(1, now=1000.0, max_attempts=1) is None
    assert RetryPolicy(max_attempts=1).next_retry_at(1) is None


def test_next_retry_at_defaults_to_now() -> None:
    import time

    before = time.time()
    at = RetryPolicy(initial_delay=2.0, jitter=0).next_retry_at(1)
    assert at is not None and before + 2.0 <= at <= time.time() + 2.0


def test_delay_rejects_attempt_zero() -> None:
    with pytest.raises(ValueError, match="attempt must be >= 1"):
        RetryPolicy().delay(0)


class PermanentError(Exception):
    pass


def test_should_retry_honours_do_not_retry() -> None:
    policy = RetryPolicy(do_not_retry=(PermanentError, KeyError))
    assert policy.should_retry(RuntimeError("x"))
    assert not policy.should_retry(PermanentError())
    assert not policy.should_retry(KeyError("k"))
    assert not policy.should_retry(DoNotRetry("stop"))
    assert not RetryPolicy().should_retry(DoNotRetry("stop"))
    # A single class or a list is accepted too.
    assert RetryPolicy(do_not_retry=PermanentError).do_not_retry == (PermanentError,)  # type: ignore[arg-type]
    assert RetryPolicy(do_not_retry=[PermanentError]).do_not_retry == (PermanentError,)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_attempts": 0},
        {"factor": 0.5},
        {"initial_delay": -1},
        {"max_delay": -1},
        {"jitter": 1.0},
        {"jitter": -0.1},
        {"initial_delay": float("inf")},
        {"do_not_retry": (int,)},
        {"unknown": 1},
    ],
)
def test_validation(kwargs: dict[str, object]) -> None:
    with pytest.raises(pydantic.ValidationError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_frozen() -> None:
    policy = RetryPolicy()
    with pytest.raises(pydantic.ValidationError):
        policy.max_attempts = 3
    assert hash(RetryPolicy(max_attempts=2)) == hash(RetryPolicy(max_attempts=2))
