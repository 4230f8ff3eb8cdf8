from prog import total_length

def test_total():
    assert total_length(["ab", "cde"]) == 5
