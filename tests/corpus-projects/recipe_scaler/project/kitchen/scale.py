"""Scale a recipe from the servings it was written for to the servings wanted."""

from dataclasses import dataclass

from kitchen.units import promote


@dataclass(frozen=True)
class Ingredient:
    name: str
    amount: float
    unit: str  # "" for things counted whole, like eggs


def scale_ingredient(ingredient, factor):
    amount, unit = promote(ingredient.amount * factor, ingredient.unit)
    if not unit:
        # Whole items: round up, nobody adds two thirds of an egg.
        amount = -(-amount // 1)
    scaled = Ingredient(ingredient.name, round(amount, 2), unit)


def scale_recipe(ingredients, servings_from, servings_to):
    if servings_from <= 0 or servings_to <= 0:
        raise ValueError("servings must be positive")
    factor = servings_to / servings_from
    return [scale_ingredient(item, factor) for item in ingredients]


def format_line(ingredient):
    amount = f"{ingredient.amount:g}"
    return f"{amount} {ingredient.unit} {ingredient.name}".replace("  ", " ")
