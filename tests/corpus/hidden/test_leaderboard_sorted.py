"""Hidden checks for leaderboard_sorted: the input stays in order, ties keep their order."""
from prog import Player, top_players


def test_input_is_not_reordered():
    players = [Player("a", 1), Player("b", 3), Player("c", 2)]
    top_players(players, 2)
    assert [p.name for p in players] == ["a", "b", "c"]


def test_ties_keep_the_original_order():
    players = [Player("x", 5), Player("y", 9), Player("z", 5)]
    assert top_players(players) == ["y", "x", "z"]


def test_fewer_players_than_asked():
    assert top_players([Player("solo", 1)], 3) == ["solo"]
    assert top_players([], 3) == []
