import pytest

from throttle.clock import ManualClock


@pytest.fixture
def clock():
    return ManualClock(start=1000.0)
