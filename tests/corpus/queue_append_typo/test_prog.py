from prog import enqueue_all

def test_enqueue():
    assert enqueue_all([1], [2, 3]) == [1, 2, 3]
