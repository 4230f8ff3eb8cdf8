"""Hidden checks for clause_add_admin: admins, authors and strangers over several posts."""
from prog import Post, User, visible_posts

POSTS = [Post(1, True), Post(1, False), Post(2, False)]


def test_admin_sees_everything():
    assert visible_posts(User(5, is_admin=True), POSTS) == POSTS


def test_author_sees_own_private_posts_only():
    assert visible_posts(User(2), POSTS) == [POSTS[0], POSTS[2]]


def test_stranger_sees_public_only():
    assert visible_posts(User(3), POSTS) == [POSTS[0]]


def test_author_who_is_also_admin():
    assert visible_posts(User(1, is_admin=True), POSTS) == POSTS
