from prog import subsets

def test_two():
    assert sorted(subsets([1, 2])) == [[], [1], [1, 2], [2]]

def test_none():
    assert subsets([]) == [[]]
