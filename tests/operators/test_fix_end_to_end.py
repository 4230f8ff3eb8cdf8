"""Each bug class fixed end to end: `run_fix` with the offline engine and the real sandbox.

Every case is a small program and its pytest file written here; the loop reproduces the failure
in the sandbox (`auto`: bubblewrap where it works), searches, proves the winner in a fresh run,
and the verified text must be exactly the intended fix.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from fixloop.fixes import FixRequest
from fixloop.loop import run_fix
from fixloop.settings import Settings

from .helpers import code

SANDBOX = os.environ.get("FIXLOOP_REPAIR_SANDBOX", "auto")
BUDGET = 30.0


@dataclass(frozen=True)
class Case:
    program: str
    tests: str  # the pytest file, or "" to run the program as a script
    old: str  # the buggy text, present exactly once in the program
    new: str  # what the fix turns it into

    @property
    def fixed(self) -> str:
        assert self.program.count(self.old) == 1
        return self.program.replace(self.old, self.new)


CASES = {
    "missing await": Case(
        code(
            """
            import asyncio


            async def price(item):
                await asyncio.sleep(0)
                return {"apple": 3, "pear": 5}[item]


            async def basket_total(items):
                total = 0
                for item in items:
                    cost = price(item)
                    total += cost
                return total
            """
        ),
        code(
            """
            import asyncio

            from prog import basket_total


            def test_total():
                assert asyncio.run(basket_total(["apple", "pear"])) == 8


            def test_empty():
                assert asyncio.run(basket_total([])) == 0
            """
        ),
        "cost = price(item)",
        "cost = await price(item)",
    ),
    "f-string": Case(
        code(
            """
            def receipt(name, total):
                return "Thanks {name}, you paid {total:.2f}"
            """
        ),
        code(
            """
            from prog import receipt


            def test_receipt():
                assert receipt("Ada", 3.5) == "Thanks Ada, you paid 3.50"
            """
        ),
        'return "Thanks',
        'return f"Thanks',
    ),
    "sibling API": Case(
        code(
            """
            import json


            def load_settings(path):
                with open(path) as fh:
                    settings = json.loads(fh)
                settings.setdefault("theme", "light")
                return settings
            """
        ),
        code(
            """
            from prog import load_settings


            def test_defaults(tmp_path):
                path = tmp_path / "settings.json"
                path.write_text('{"size": 12}')
                assert load_settings(path) == {"size": 12, "theme": "light"}
            """
        ),
        "json.loads(fh)",
        "json.load(fh)",
    ),
    "missing return": Case(
        code(
            """
            def word_lengths(words):
                lengths = {}
                for word in words:
                    lengths[word] = len(word)


            def longest(words):
                table = word_lengths(words)
                return max(table, key=table.get)
            """
        ),
        code(
            """
            from prog import longest


            def test_longest():
                assert longest(["a", "abc", "ab"]) == "abc"
            """
        ),
        "lengths[word] = len(word)\n",
        "lengths[word] = len(word)\n    return lengths\n",
    ),
    "mutable default": Case(
        code(
            """
            def add_tag(tag, tags=[]):
                tags.append(tag)
                return tags
            """
        ),
        code(
            """
            from prog import add_tag


            def test_first():
                assert add_tag("a") == ["a"]


            def test_fresh_each_call():
                add_tag("x")
                assert add_tag("b") == ["b"]


            def test_given_list():
                assert add_tag("c", ["z"]) == ["z", "c"]
            """
        ),
        "def add_tag(tag, tags=[]):\n",
        "def add_tag(tag, tags=None):\n    if tags is None:\n        tags = []\n",
    ),
    "mutable class attribute": Case(
        code(
            """
            class Inventory:
                items = []

                def add(self, name):
                    self.items.append(name)
                    return len(self.items)
            """
        ),
        code(
            """
            from prog import Inventory


            def test_each_inventory_is_its_own():
                first, second = Inventory(), Inventory()
                assert first.add("hammer") == 1
                assert first.add("nails") == 2
                assert second.add("saw") == 1
                assert second.items == ["saw"]
            """
        ),
        # The class-level line lies outside the inferred range (the method), so it stays.
        "    def add(self, name):\n",
        "    def __init__(self):\n        self.items = []\n\n    def add(self, name):\n",
    ),
    "missing key initialisation": Case(
        code(
            """
            def by_city(people):
                out = {}
                for name, city in people:
                    out[city].append(name)
                return out
            """
        ),
        code(
            """
            from prog import by_city


            def test_groups():
                people = [("ada", "paris"), ("bob", "rome"), ("cy", "paris")]
                assert by_city(people) == {"paris": ["ada", "cy"], "rome": ["bob"]}
            """
        ),
        "out[city].append(name)",
        "out.setdefault(city, []).append(name)",
    ),
    "loop targets": Case(
        code(
            """
            def numbered(lines):
                return [f"{n}: {text}" for text, n in enumerate(lines, 1)]
            """
        ),
        code(
            """
            from prog import numbered


            def test_numbered():
                assert numbered(["a", "b"]) == ["1: a", "2: b"]
            """
        ),
        "for text, n in",
        "for n, text in",
    ),
    "initialisation inside the loop": Case(
        code(
            """
            def total_cost(orders):
                for order in orders:
                    total = 0
                    total += order["qty"] * order["price"]
                return total
            """
        ),
        code(
            """
            from prog import total_cost


            def test_two_orders():
                orders = [{"qty": 2, "price": 3}, {"qty": 1, "price": 4}]
                assert total_cost(orders) == 10


            def test_one_order():
                assert total_cost([{"qty": 3, "price": 5}]) == 15
            """
        ),
        "    for order in orders:\n        total = 0\n",
        "    total = 0\n    for order in orders:\n",
    ),
    "initialisation before the loop": Case(
        code(
            """
            def row_totals(grid):
                totals = []
                total = 0
                for row in grid:
                    for cell in row:
                        total += cell
                    totals.append(total)
                return totals
            """
        ),
        code(
            """
            from prog import row_totals


            def test_rows():
                assert row_totals([[1, 2], [3, 4], [5]]) == [3, 7, 5]
            """
        ),
        "    total = 0\n    for row in grid:\n",
        "    for row in grid:\n        total = 0\n",
    ),
    "sorted keyword": Case(
        code(
            """
            def leaderboard(scores):
                ranked = sorted(scores.items(), key=lambda item: item[1])
                return [name for name, _ in ranked]
            """
        ),
        code(
            """
            from prog import leaderboard


            def test_best_first():
                assert leaderboard({"ada": 7, "bob": 9, "cy": 3}) == ["bob", "ada", "cy"]
            """
        ),
        "key=lambda item: item[1])",
        "key=lambda item: item[1], reverse=True)",
    ),
    "strptime format": Case(
        code(
            """
            from datetime import datetime


            def parse_day(text):
                return datetime.strptime(text, "%Y-%m-%d").date()
            """
        ),
        code(
            """
            from datetime import date

            from prog import parse_day


            def test_christmas():
                assert parse_day("25/12/2024") == date(2024, 12, 25)


            def test_new_year():
                assert parse_day("01/01/2025") == date(2025, 1, 1)
            """
        ),
        '"%Y-%m-%d"',
        '"%d/%m/%Y"',
    ),
    "split separator": Case(
        code(
            """
            def parse_score(line):
                name, score = line.split(",")
                return name.strip(), int(score)
            """
        ),
        code(
            """
            from prog import parse_score


            def test_semicolons():
                assert parse_score("ada; 12") == ("ada", 12)
            """
        ),
        'line.split(",")',
        'line.split(";")',
    ),
    "drop a condition clause": Case(
        code(
            """
            def eligible(age, member):
                if age >= 18 and member and age < 65:
                    return True
                return False
            """
        ),
        code(
            """
            from prog import eligible


            def test_members_of_any_adult_age():
                assert eligible(70, True)
                assert eligible(65, True)
                assert eligible(40, True)


            def test_minor():
                assert not eligible(17, True)


            def test_not_a_member():
                assert not eligible(30, False)
            """
        ),
        " and age < 65",
        "",
    ),
    "add a condition clause": Case(
        code(
            """
            def can_delete(user, owner, is_admin=False):
                return user == owner
            """
        ),
        code(
            """
            from prog import can_delete


            def test_owner():
                assert can_delete("ada", "ada")


            def test_stranger():
                assert not can_delete("bob", "ada")


            def test_admin():
                assert can_delete("root", "ada", is_admin=True)
            """
        ),
        "return user == owner",
        "return user == owner or is_admin",
    ),
    "separator in a script": Case(
        code(
            """
            def parse(line):
                name, score = line.split(",")
                return name, int(score)


            print(parse("ada;3"))
            """
        ),
        "",  # no tests: the oracle is the script running to the end
        'line.split(",")',
        'line.split(";")',
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
async def test_offline_engine_fixes_the_class(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    (tmp_path / "prog.py").write_text(case.program, encoding="utf-8")
    if case.tests:
        (tmp_path / "test_prog.py").write_text(case.tests, encoding="utf-8")
    result = await run_fix(
        FixRequest(
            path=Path("prog.py"),
            root=tmp_path,
            tests=("test_prog.py",) if case.tests else (),
            settings=Settings(sandbox=SANDBOX, engine="offline", budget=BUDGET),
        )
    )
    assert result.verified, result.reason
    assert result.fixed == case.fixed, f"{result.summary}\n{result.diff}"
    assert result.proof is not None and result.proof.after.status == "passed"
    assert (tmp_path / "prog.py").read_text(encoding="utf-8") == case.program  # never written
