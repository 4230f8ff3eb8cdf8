"""Hidden checks for adult_age: the boundary at 18 and its neighbours."""
from prog import is_adult


def test_neighbours_of_the_boundary():
    assert not is_adult(17)
    assert is_adult(18)
    assert is_adult(19)


def test_teenagers_are_not_adults():
    assert [is_adult(age) for age in (13, 15, 16)] == [False, False, False]


def test_newborn():
    assert not is_adult(0)
