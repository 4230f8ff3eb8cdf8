"""Overfitting: a candidate that special-cases a value only the tests hold is refused."""

from __future__ import annotations

import textwrap
from pathlib import Path

from fixloop.repair.overfit import OverfitCheck, read_test_sources

ORIGINAL = textwrap.dedent(
    """
    def can_edit(user, post):
        return post.public or user.id == post.author_id


    def kind(code):
        if code == 404:
            return "missing"
        return "other"
    """
).lstrip("\n")
TESTS = textwrap.dedent(
    """
    from blog import can_edit, kind

    def test_admin_can_edit():
        assert can_edit(User(9), Post(author_id=3, public=False))

    def test_names():
        assert kind(404) == "missing"
        assert greet("alice") == "hi alice"

    def test_count():
        assert count([1, 2, 0]) == 2
    """
)


def check() -> OverfitCheck:
    return OverfitCheck(ORIGINAL, [TESTS])


def test_comparing_with_a_literal_only_the_tests_hold_is_refused() -> None:
    special = ORIGINAL.replace(
        "user.id == post.author_id", "user.id == post.author_id or user.id == 9"
    )
    reason = check().screen(special)
    assert reason is not None and "compares with 9" in reason
    names = ORIGINAL.replace("if code == 404:", 'if code == 404 or code in ("alice", "x"):')
    assert check().screen(names) is not None
    matched = ORIGINAL.replace(
        '    if code == 404:\n        return "missing"\n',
        '    match code:\n        case 9:\n            return "missing"\n',
    )
    assert check().screen(matched) is not None


def test_values_of_the_original_trivial_values_and_thresholds_pass() -> None:
    # 404 is in the original already; 0 and None are trivial; `<` against a tested value is a
    # threshold, not a special case; a tested value used in arithmetic is not a comparison.
    for candidate in (
        ORIGINAL.replace("code == 404", "code != 404"),
        ORIGINAL.replace("user.id == post.author_id", "user.id == post.author_id or user.id == 0"),
        ORIGINAL.replace("user.id == post.author_id", "user.id is None"),
        ORIGINAL.replace("user.id == post.author_id", "user.id < 9"),
        ORIGINAL.replace('return "other"', "return 9 * 2"),
    ):
        assert check().screen(candidate) is None, candidate
    assert OverfitCheck(ORIGINAL, []).screen(ORIGINAL.replace("== post.author_id", "== 9")) is None


def test_test_sources_come_from_files_node_ids_and_folders(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text("A = 1\n")
    (tmp_path / "tests" / "helper.py").write_text("H = 2\n")
    (tmp_path / "test_b.py").write_text("B = 3\n")
    texts = read_test_sources(tmp_path, ["tests", "test_b.py::test_x", "missing.py"])
    assert texts == ["A = 1\n", "B = 3\n"]
