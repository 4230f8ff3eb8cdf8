from prog import Rep, best_by_region, podium

TEAM = [Rep("ana", "north", 120), Rep("bo", "south", 300), Rep("cy", "north", 210), Rep("di", "south", 90)]


def test_podium():
    assert podium(TEAM) == ["bo", "cy", "ana"]


def test_best_by_region():
    assert best_by_region(TEAM) == {"south": "bo", "north": "cy"}
