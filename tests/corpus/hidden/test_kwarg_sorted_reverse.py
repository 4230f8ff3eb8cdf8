"""Hidden checks for kwarg_sorted_reverse: ties keep their order, small teams."""
from prog import Rep, league, podium


def test_ties_keep_the_given_order():
    team = [Rep("p", "e", 50), Rep("q", "e", 80), Rep("r", "w", 50)]
    assert [rep.name for rep in league(team)] == ["q", "p", "r"]


def test_small_team():
    assert podium([Rep("solo", "x", 1)]) == ["solo"]
    assert podium([]) == []
