"""Kitchen units and when to switch to a bigger one."""

# unit -> (bigger unit, how many of this unit make one of the bigger)
PROMOTIONS = {"g": ("kg", 1000), "ml": ("l", 1000), "tsp": ("tbsp", 3)}


def promote(amount, unit):
    """500 g stays 500 g; 1500 g becomes 1.5 kg; 6 tsp become 2 tbsp."""
    while unit in PROMOTIONS:
        bigger, ratio = PROMOTIONS[unit]
        if amount < ratio:
            break
        amount, unit = amount / ratio, bigger
    return amount, unit
