"""Hidden checks for recipe_scaler: halving, one serving, units promoted after scaling."""
from kitchen.scale import Ingredient, format_line, scale_recipe


def test_halve():
    (flour,) = scale_recipe([Ingredient("flour", 250, "g")], 4, 2)
    assert flour == Ingredient("flour", 125.0, "g")


def test_promoted_after_scaling():
    lines = [format_line(i) for i in scale_recipe([Ingredient("salt", 1, "tsp"), Ingredient("water", 400, "ml")], 2, 6)]
    assert lines == ["1 tbsp salt", "1.2 l water"]


def test_one_serving_from_six():
    (eggs, sugar) = scale_recipe([Ingredient("eggs", 3, ""), Ingredient("sugar", 100, "g")], 6, 1)
    assert (eggs.amount, sugar.amount) == (1, 16.67)


def test_same_servings():
    items = [Ingredient("rice", 300, "g")]
    assert scale_recipe(items, 2, 2) == items
