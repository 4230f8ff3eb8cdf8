from prog import RetryPolicy


def test_first_delay_is_the_base():
    assert RetryPolicy(1.5).delays()[0] == 1.5


def test_delays_grow():
    delays = RetryPolicy(1.0, factor=3.0).delays()
    assert all(later > earlier for earlier, later in zip(delays, delays[1:]))
