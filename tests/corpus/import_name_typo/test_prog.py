from prog import root_mean_square

def test_rms():
    assert root_mean_square([3, 3, 3]) == 3
