"""Hidden checks for powerset_seed: 2**n subsets, each once."""
from prog import subsets


def test_single():
    assert sorted(subsets(["a"])) == [[], ["a"]]


def test_three_items():
    result = subsets([1, 2, 3])
    assert len(result) == 8
    assert sorted(map(sorted, result)) == [
        [], [1], [1, 2], [1, 2, 3], [1, 3], [2], [2, 3], [3],
    ]
