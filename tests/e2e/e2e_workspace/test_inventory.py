from inventory import total_items


def test_total_of_two_shelves():
    assert total_items([3, 4]) == 7


def test_total_of_no_shelves():
    assert total_items([]) == 0
