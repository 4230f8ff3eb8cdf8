"""Operators that restore what the program meant where a smaller edit only stops the error: an
accumulator made by a constructor moved into its loop, a missing `else`, the copying sibling of
`.sort()`, a boolean field as an added clause, the keys the program itself lists, the shared
class state of every class, and the function that fed a `None` argument its missing return."""

from __future__ import annotations

from fixloop.repair import conditions, keys, loops, mutables, returns
from fixloop.repair.mutate import MutantGenerator
from fixloop.repair.shape import ShapeJudge, dead_stores
from fixloop.repair.source import SourceView

from .helpers import at_line, checked, code, guided, rank_of, symptom


def test_a_counter_made_before_the_loop_moves_into_it_when_each_round_stores_its_result() -> None:
    source = code(
        """
        from collections import Counter


        def letters(groups):
            out = {}
            seen = Counter()
            for name, text in groups.items():
                seen.update(text)
                out[name] = seen.most_common(1)
            return out
        """
    )
    expected = source.replace(
        "    seen = Counter()\n    for name, text in groups.items():\n",
        "    for name, text in groups.items():\n        seen = Counter()\n",
    )
    rank_of(expected, at_line(loops.initialisations_at_line, source, 7), 1)
    # A running total read after the loop only is not handed on per round: it stays.
    total = code(
        """
        def running(rows):
            acc = Counter()
            for row in rows:
                acc.update(row)
            return acc
        """
    )
    assert at_line(loops.initialisations_at_line, total, 3) == []


def test_a_statement_after_an_if_without_else_may_belong_in_its_else() -> None:
    source = code(
        """
        def split(items, limit):
            small, large = [], []
            for item in items:
                if item <= limit:
                    small.append(item)
                large.append(item)
            return small, large
        """
    )
    expected = source.replace(
        "        large.append(item)\n", "        else:\n            large.append(item)\n"
    )
    assert at_line(conditions.missing_else, source, 6) == [expected]
    leaving = source.replace("small.append(item)", "small.append(item)\n            continue")
    assert at_line(conditions.missing_else, leaving, 7) == []  # the branch already leaves


def test_a_sort_whose_none_is_assigned_gets_its_copying_sibling() -> None:
    source = code(
        """
        def best(scores):
            ranked = scores.sort(reverse=True)
            return ranked[0]
        """
    )
    generator = MutantGenerator(SourceView(source))
    texts = [checked(source, m) for m in generator.for_line(2, deep=False)]
    assert source.replace("scores.sort(reverse=True)", "sorted(scores, reverse=True)") in texts


def test_an_added_clause_may_test_a_boolean_field_of_a_class_named_like_the_variable() -> None:
    source = code(
        """
        class Member:
            def __init__(self, age, is_staff=False):
                self.age = age
                self.is_staff = is_staff
                self.active = True


        def may_enter(member):
            return member.age >= 18
        """
    )
    texts = at_line(conditions.at_line, source, 9)
    assert source.replace("member.age >= 18", "member.age >= 18 or member.is_staff") in texts
    assert source.replace("member.age >= 18", "member.age >= 18 and member.active") in texts


def test_a_key_error_on_a_dict_whose_keys_the_program_lists_fills_it_with_them() -> None:
    source = code(
        """
        COLOURS = ["red", "green"]


        def tally(picks):
            counts = {}
            for colour in picks:
                if colour not in COLOURS:
                    raise ValueError(colour)
                counts[colour].append(1)
            return counts
        """
    )
    texts = guided(keys.key_initialisation, source, symptom("KeyError", "'red'", 9), True)
    filled = source.replace("counts = {}", "counts = {colour: [] for colour in COLOURS}")
    index = rank_of(filled, texts, len(texts))
    assert any("defaultdict(list)" in text for text in texts[index + 1 :])


def test_shared_class_state_is_proposed_for_every_class_and_moves_together() -> None:
    source = code(
        """
        class Shelf:
            books = []
            loans = {}

            def __init__(self, room):
                self.room = room

            def add(self, book):
                self.books.append(book)
                self.loans[book] = None


        def main():
            a, b = Shelf(1), Shelf(2)
            a.add("x")
            assert not b.books
        """
    )
    texts = [checked(source, m) for m in mutables.shared_class_state(SourceView(source))]
    moved = "        self.books = []\n        self.loans = {}\n        self.room = room\n"
    assert texts and all(moved in text for text in texts)
    assert "    books = []\n" not in texts[0] and "    loans = {}\n" not in texts[0]


def test_a_none_passed_in_as_an_argument_points_at_the_function_that_made_it() -> None:
    source = code(
        """
        def totals(rows):
            out = {}
            for key, value in rows:
                out[key] = value


        def show(table):
            for key in sorted(table.items()):
                print(key)


        def main():
            show(totals([("a", 1)]))
        """
    )
    sick = symptom("AttributeError", "'NoneType' object has no attribute 'items'", 8, 13)
    expected = source.replace(
        "        out[key] = value\n", "        out[key] = value\n    return out\n"
    )
    rank_of(expected, guided(returns.missing_return_for_symptom, source, sick), 1)


def test_an_edit_that_leaves_a_computed_value_unused_ranks_with_the_guards() -> None:
    source = code(
        """
        def top(players):
            ranking = players.sort()
            return ranking[:3]
        """
    )
    judge = ShapeJudge(source, {3: 0, 2: 1})
    discards = source.replace("return ranking[:3]", "return players[:3]")
    restores = source.replace("players.sort()", "sorted(players)")
    assert judge.shape(discards).tier == 1 and dead_stores(SourceView(discards).tree)
    assert judge.shape(restores).tier == 0
