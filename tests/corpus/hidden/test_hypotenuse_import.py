"""Hidden checks for hypotenuse_import: other right triangles."""
import pytest

from prog import hypotenuse


def test_five_twelve():
    assert hypotenuse(5, 12) == 13


def test_unit():
    assert hypotenuse(1, 1) == pytest.approx(2 ** 0.5)


def test_degenerate():
    assert hypotenuse(0, 6) == 6
