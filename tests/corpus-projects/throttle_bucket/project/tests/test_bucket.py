import pytest

from throttle.bucket import TokenBucket
from throttle.client import Throttled


def test_burst_is_free(clock):
    bucket = TokenBucket(rate=5, capacity=3, clock=clock)
    assert [bucket.try_acquire() for _ in range(4)] == [True, True, True, False]


def test_invalid_settings():
    with pytest.raises(ValueError):
        TokenBucket(rate=0, capacity=1)


def test_too_many_at_once(clock):
    with pytest.raises(ValueError):
        TokenBucket(rate=1, capacity=2, clock=clock).acquire(3)


def test_refill_after_a_second(clock):
    bucket = TokenBucket(rate=10, capacity=10, clock=clock)
    for _ in range(10):
        bucket.try_acquire()
    clock.advance(0.5)
    assert bucket.try_acquire(5)


def test_acquire_waits_for_a_token(clock):
    bucket = TokenBucket(rate=20, capacity=1, clock=clock)
    bucket.acquire()
    waited = bucket.acquire()
    assert 0.04 <= waited <= 0.07


def test_throttled_calls(clock):
    double = Throttled(lambda x: 2 * x, rate=100, burst=2, clock=clock)
    assert [double(n) for n in range(4)] == [0, 2, 4, 6]
    assert clock.slept > 0
