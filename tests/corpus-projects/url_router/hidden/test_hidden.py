"""Hidden checks for url_router: a match must cover the whole path, not a prefix."""
import pytest

from router.dispatch import NotFound, Router, default_router
from router.patterns import Pattern


def test_prefix_of_a_longer_path_is_not_a_match():
    assert Pattern("/files/<name>").match("/files/a/b") is None
    assert Pattern("/users").match("/users2") is None


def test_int_must_be_all_digits():
    assert Pattern("/n/<int:n>").match("/n/12x") is None
    assert Pattern("/n/<int:n>").match("/n/12") == {"n": 12}


@pytest.mark.parametrize("path", ["/users/1/posts/9", "/files/x/y", "/posts/a-b/c"])
def test_longer_paths_are_not_found(path):
    with pytest.raises(NotFound):
        default_router().resolve(path)


def test_first_match_wins():
    router = Router()
    router.add("/a/<x>", "generic")
    router.add("/a/special", "special")
    assert router.resolve("/a/special") == ("generic", {"x": "special"})
