"""Evaluate parsed formulas."""

from calc.parse import FormulaError, parse

OPERATIONS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}


def evaluate_tree(tree):
    if isinstance(tree, float):
        return tree
    if tree[0] == "neg":
        return -evaluate_tree(tree[1])
    operator, left, right = tree
    a, b = evaluate_tree(left), evaluate_tree(right)
    if operator == "/" and b == 0:
        raise FormulaError("division by zero")
    return OPERATIONS[operator](a, b)


def evaluate(text):
    value = evaluate_tree(parse(text))
    return int(value) if value.is_integer() else round(value, 10)
