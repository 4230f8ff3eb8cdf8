from prog import Post, User, can_view


def test_public():
    assert can_view(User(1), Post(author_id=2, public=True))


def test_private_for_the_author():
    assert can_view(User(2), Post(author_id=2, public=False))


def test_private_hidden_from_others():
    assert not can_view(User(3), Post(author_id=2, public=False))


def test_admin_sees_private():
    assert can_view(User(9, is_admin=True), Post(author_id=2, public=False))
