"""Hidden checks for permission_flags: a mask is the union of the flags."""
from prog import EXECUTE, READ, WRITE, combine


def test_single_flag():
    assert combine(EXECUTE) == 4


def test_repeated_flag_counts_once():
    assert combine(READ, READ) == READ


def test_all_flags():
    assert combine(READ, WRITE, EXECUTE, WRITE) == 7
