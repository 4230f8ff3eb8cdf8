from prog import Player, rank_of, top_players

PLAYERS = [Player("ana", 40), Player("bo", 75), Player("cy", 60), Player("di", 10)]


def test_top_three():
    assert top_players(list(PLAYERS)) == ["bo", "cy", "ana"]


def test_rank():
    assert rank_of(PLAYERS, "cy") == 2
