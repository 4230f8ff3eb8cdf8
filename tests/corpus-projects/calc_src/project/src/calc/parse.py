"""Tokens and a recursive-descent parser: + - * / with the usual precedence, parentheses, unary minus."""

import re

TOKEN = re.compile(r"\s*(?:(\d(?:\.\d+)?)|(\S))")


class FormulaError(ValueError):
    pass


def tokenize(text):
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        found = TOKEN.match(text, position)
        number, symbol = found.groups()
        if number is not None:
            tokens.append(float(number))
        elif symbol in "+-*/()":
            tokens.append(symbol)
        else:
            raise FormulaError(f"unexpected character {symbol!r}")
        position = found.end()
    return tokens


class Tokens:
    def __init__(self, items):
        self.items = items
        self.position = 0

    def peek(self):
        return self.items[self.position] if self.position < len(self.items) else None

    def take(self):
        item = self.peek()
        if item is None:
            raise FormulaError("formula ends too early")
        self.position += 1
        return item


def parse_sum(tokens):
    left = parse_product(tokens)
    if tokens.peek() in ("+", "-"):
        operator = tokens.take()
        return (operator, left, parse_sum(tokens))
    return left


def parse_product(tokens):
    left = parse_factor(tokens)
    while tokens.peek() in ("*", "/"):
        operator = tokens.take()
        left = (operator, left, parse_factor(tokens))
    return left


def parse_factor(tokens):
    item = tokens.take()
    if item == "-":
        return ("neg", parse_factor(tokens))
    if item == "(":
        inner = parse_sum(tokens)
        if tokens.take() != ")":
            raise FormulaError("missing closing parenthesis")
        return inner
    if isinstance(item, float):
        return item
    raise FormulaError(f"unexpected {item!r}")


def parse(text):
    tokens = Tokens(tokenize(text))
    tree = parse_sum(tokens)
    if tokens.peek() is not None:
        raise FormulaError(f"unexpected {tokens.peek()!r} after the end of the formula")
    return tree
