import pytest

from kitchen.scale import Ingredient, format_line, scale_recipe
from kitchen.units import promote

PANCAKES = [
    Ingredient("flour", 250, "g"),
    Ingredient("milk", 500, "ml"),
    Ingredient("eggs", 2, ""),
    Ingredient("salt", 1, "tsp"),
]


def test_double():
    lines = [format_line(i) for i in scale_recipe(PANCAKES, 4, 8)]
    assert lines == ["500 g flour", "1 l milk", "4 eggs", "2 tsp salt"]


def test_eggs_round_up():
    (eggs,) = scale_recipe([Ingredient("eggs", 2, "")], 4, 3)
    assert eggs.amount == 2


def test_promote():
    assert promote(1500, "g") == (1.5, "kg")


def test_bad_servings():
    with pytest.raises(ValueError):
        scale_recipe(PANCAKES, 0, 2)
