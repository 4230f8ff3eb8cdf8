"""Real-world-shaped projects for the fast-path tests, each with candidates and the swap the
worker's collected session is expected to use for them ("none", "patched", "reexec", "full").

- `shop`: src layout, pytest config in pyproject.toml (testpaths, addopts, --strict-markers,
  markers, pythonpath), a conftest whose pytest_addoption/pytest_configure set a module global,
  a session fixture, a yield fixture whose teardown calls the target, tmp_path, capsys,
  monkeypatch, cases parametrized from JSON, `from shop.pricing import total` in the tests;
- `finder`: flat package configured in pytest.ini, cases from CSV, a failing test that hangs;
- `grades`: setup.cfg config, a conftest that parametrizes through the target at collection
  time (`pytest_generate_tests`), a test class, a unittest.TestCase, `import grades.scale as
  scale` users and a default argument bound to a module constant.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path

from fixloop.bench.suites import BISECT_SEARCH, CONFTEST_OPTIONS, src_layout_pyproject


@dataclass(frozen=True)
class Candidate:
    label: str
    text: str
    swap: str  # the swap the session is expected to report


@dataclass(frozen=True)
class Project:
    name: str
    files: dict[str, str]
    target: str
    tests: tuple[str, ...]
    candidates: tuple[Candidate, ...]

    @property
    def original(self) -> str:
        return self.files[self.target]

    def write(self, root: Path) -> Path:
        for relative, text in self.files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return root


def _dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def _variant(original: str, old: str, new: str) -> str:
    assert old in original, old
    return original.replace(old, new, 1)


def _edits(original: str, *edits: tuple[str, str, str, str]) -> tuple[Candidate, ...]:
    """The original, then one candidate per (label, old, new, expected swap)."""
    return (Candidate("original", original, "none"),) + tuple(
        Candidate(label, _variant(original, old, new), swap) for label, old, new, swap in edits
    )


PRICING = _dedent(
    '''
    """Prices of a basket: a discount from a threshold on, then tax."""

    TAX_RATE = 0.25


    class Basket:
        def __init__(self, prices):
            self.prices = list(prices)

        @property
        def subtotal(self):
            return sum(self.prices)


    def total(prices, threshold=100, percent=10):
        subtotal = Basket(prices).subtotal
        if subtotal > threshold:
            subtotal -= subtotal * percent / 100
        return round(subtotal * (1 + TAX_RATE), 2)


    def receipt_line(prices):
        return f"total: {total(prices):.2f}"
    '''
)


def _shop_cases() -> str:
    cases = []
    for index, prices in enumerate([[10], [40, 50], [60, 40], [99], [120, 30], [100]]):
        subtotal = float(sum(prices))
        if subtotal >= 100:  # the intended rule: the threshold itself earns the discount
            subtotal -= subtotal * 10 / 100
        cases.append({"name": f"case{index}", "prices": prices, "total": round(subtotal * 1.25, 2)})
    return json.dumps(cases, indent=1)


SHOP = Project(
    "shop",
    {
        "pyproject.toml": src_layout_pyproject("shop"),
        "src/shop/__init__.py": "from .pricing import TAX_RATE, total\n",
        "src/shop/pricing.py": PRICING,
        "tests/cases.json": _shop_cases(),
        "tests/conftest.py": CONFTEST_OPTIONS
        + textwrap.dedent(
            """

            @pytest.fixture
            def currency():
                return CURRENCY


            @pytest.fixture
            def printed(tmp_path):
                baskets = []
                yield baskets
                # Teardown: what the test printed must still read as a receipt.
                from shop.pricing import receipt_line

                (tmp_path / "receipts.txt").write_text(str(baskets))
                for prices in baskets:
                    assert receipt_line(prices).startswith("total: "), "the receipt changed"
            """
        ),
        "tests/test_pricing.py": _dedent(
            """
            import json
            import os
            from pathlib import Path

            import pytest
            from shop.pricing import TAX_RATE, Basket, receipt_line, total

            CASES = json.loads((Path(__file__).parent / "cases.json").read_text())


            @pytest.mark.money
            @pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
            def test_total(case):
                assert total(case["prices"]) == case["total"]


            def test_every_case_loaded(cases):
                assert len(cases) == len(CASES)


            def test_tax_rate():
                assert TAX_RATE == 0.25


            def test_basket():
                assert Basket([1, 2]).subtotal == 3


            def test_receipt(capsys, printed):
                print(receipt_line([10]))
                printed.append([10])
                assert capsys.readouterr().out == "total: 12.50\\n"


            def test_environment(monkeypatch, tmp_path):
                monkeypatch.setenv("SHOP_MODE", "test")
                (tmp_path / "mode").write_text(os.environ["SHOP_MODE"])
                assert (tmp_path / "mode").read_text() == "test"
                assert total([1]) == 1.25


            def test_currency(currency):
                assert currency == "EUR"
            """
        ),
    },
    "src/shop/pricing.py",
    ("tests/test_pricing.py",),
    _edits(
        PRICING,
        ("fix", "if subtotal > threshold:", "if subtotal >= threshold:", "patched"),
        (
            "breaks the discount",
            "subtotal -= subtotal * percent / 100",
            "subtotal -= percent",
            "patched",
        ),
        ("changes a property", "return sum(self.prices)", "return sum(self.prices[1:])", "patched"),
        (
            "breaks the receipt (teardown fails)",
            'f"total: {total(prices):.2f}"',
            'f"sum: {total(prices):.2f}"',
            "patched",
        ),
        ("changes a constant", "TAX_RATE = 0.25", "TAX_RATE = 0.2", "reexec"),
        (
            "adds a constant",
            "TAX_RATE = 0.25",
            "TAX_RATE = 0.25\nOFFSET = 0",
            "reexec",
        ),
        ("raises on import", "TAX_RATE = 0.25", 'raise RuntimeError("boom")', "full"),
    ),
)

SEARCH = textwrap.dedent(BISECT_SEARCH).lstrip("\n")

FINDER = Project(
    "finder",
    {
        "pytest.ini": "[pytest]\ntestpaths = tests\naddopts = --strict-markers\n",
        "finder/__init__.py": "",
        "finder/search.py": SEARCH,
        "tests/cases.csv": "items,value,expected\n1 3 5,1,0\n1 3 5,0,-1\n,4,-1\n1 3 5,5,2\n",
        "tests/test_search.py": _dedent(
            """
            import csv
            from pathlib import Path

            import pytest
            from finder.search import find_index

            with open(Path(__file__).parent / "cases.csv", newline="") as handle:
                ROWS = list(csv.DictReader(handle))


            @pytest.mark.parametrize("row", ROWS, ids=[f"{r['items']}:{r['value']}" for r in ROWS])
            def test_find_index(row):
                items = [int(word) for word in row["items"].split()]
                assert find_index(items, int(row["value"])) == int(row["expected"])
            """
        ),
    },
    "finder/search.py",
    ("tests/test_search.py",),
    _edits(
        SEARCH,
        ("fix", "lo = mid\n", "lo = mid + 1\n", "patched"),
        ("still hangs", "hi = mid\n", "hi = mid + 0\n", "patched"),
        ("raises", "lo = mid\n", "lo = items[len(items)]\n", "patched"),
    ),
)

SCALE = _dedent(
    '''
    """Grades from points."""

    PASS_MARK = 50


    def letter(points, pass_mark=PASS_MARK):
        if points >= 90:
            return "A"
        if points > pass_mark:
            return "B"
        return "F"


    def boundaries():
        return [0, 50, 90]
    '''
)

GRADES = Project(
    "grades",
    {
        "setup.cfg": "[tool:pytest]\ntestpaths = tests\naddopts = -p no:doctest\n",
        "grades/__init__.py": "",
        "grades/scale.py": SCALE,
        "tests/conftest.py": _dedent(
            """
            from grades.scale import boundaries


            def pytest_generate_tests(metafunc):
                if "boundary" in metafunc.fixturenames:
                    metafunc.parametrize("boundary", boundaries())
            """
        ),
        "tests/test_scale.py": _dedent(
            """
            import unittest

            import grades.scale as scale


            def test_boundary_has_a_letter(boundary):
                assert scale.letter(boundary) in "ABF"


            class TestLetters:
                def test_top(self):
                    assert scale.letter(95) == "A"

                def test_pass_mark_passes(self):
                    assert scale.letter(scale.PASS_MARK) == "B"


            class TestFail(unittest.TestCase):
                def test_zero(self):
                    self.assertEqual(scale.letter(0), "F")
            """
        ),
    },
    "grades/scale.py",
    ("tests/test_scale.py",),
    _edits(
        SCALE,
        ("fix", "if points > pass_mark:", "if points >= pass_mark:", "patched"),
        ("moves the mark (a default argument)", "PASS_MARK = 50", "PASS_MARK = 40", "full"),
        ("changes what collection used", "return [0, 50, 90]", "return [0, 50, 90, 100]", "full"),
    ),
)

PROJECTS = {project.name: project for project in (SHOP, FINDER, GRADES)}
