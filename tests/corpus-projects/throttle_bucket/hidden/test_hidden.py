"""Hidden checks for throttle_bucket: refill amounts at other rates, capacity, fractions."""
from throttle.bucket import TokenBucket
from throttle.clock import ManualClock


def drained(rate, capacity):
    clock = ManualClock()
    bucket = TokenBucket(rate=rate, capacity=capacity, clock=clock)
    while bucket.try_acquire():
        pass
    return clock, bucket


def test_refill_is_rate_times_elapsed():
    clock, bucket = drained(rate=4, capacity=10)
    clock.advance(1.0)
    assert bucket.try_acquire(4)
    assert not bucket.try_acquire(1)


def test_refill_never_exceeds_capacity():
    clock, bucket = drained(rate=100, capacity=3)
    clock.advance(60)
    assert bucket.try_acquire(3) and not bucket.try_acquire(1)


def test_slow_rate_waits_long_enough():
    clock, bucket = drained(rate=0.5, capacity=1)
    assert 1.9 <= bucket.acquire() <= 2.1


def test_partial_tokens_accumulate():
    clock, bucket = drained(rate=10, capacity=5)
    for _ in range(4):
        clock.advance(0.05)
        bucket.try_acquire(0)
    assert bucket.try_acquire(2)
