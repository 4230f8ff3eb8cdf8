"""Real-world-shaped test suites for the validation benchmark, written into a temporary folder.

Each suite is a small project with a known bug in one module and a pytest suite shaped like
the suites users have, so `fixloop bench repair` measures validation where it is slow today:
- `ledger`: a src-layout package with its pytest configuration in `pyproject.toml` (testpaths,
  addopts with `--strict-markers`, markers, pythonpath), a `conftest.py` whose
  `pytest_addoption` / `pytest_configure` set a module global, a session fixture, a fixture with
  yield teardown over `tmp_path`, `capsys` and `monkeypatch`, and ten cases parametrized from a
  JSON file next to the tests, imported with `from ledger.pricing import total`;
- `bisect`: a flat package configured in `setup.cfg`, cases parametrized from a CSV file, and a
  bug that makes every failing test loop forever;
- `plain`: a module and one test file of plain test functions, no configuration at all.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Suite:
    name: str
    root: Path
    target: str  # the module under repair, relative to root
    tests: tuple[str, ...]  # the pytest arguments of the oracle


def _write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


LEDGER_PRICING = '''
"""Prices of a basket: discounts above a threshold, then tax."""

TAX_RATE = 0.2


def apply_discount(subtotal, percent):
    return subtotal - subtotal * percent / 100


def total(prices, percent=0, threshold=100):
    subtotal = sum(prices)
    if subtotal > threshold:
        subtotal = apply_discount(subtotal, percent)
    return round(subtotal * (1 + TAX_RATE), 2)
'''


def src_layout_pyproject(name: str) -> str:
    """pytest configured in pyproject.toml for a src layout: testpaths, addopts with
    --strict-markers, a declared marker, and the `src` folder on the import path."""
    return textwrap.dedent(
        f"""
        [project]
        name = "{name}"
        version = "0.1.0"

        [tool.pytest.ini_options]
        testpaths = ["tests"]
        addopts = "--strict-markers -ra"
        pythonpath = ["src"]
        markers = ["money: computations on amounts"]
        """
    ).lstrip("\n")


# A conftest whose pytest_addoption / pytest_configure set a module global, with a session
# fixture loading the cases next to it (the tests' own fixtures follow it).
CONFTEST_OPTIONS = textwrap.dedent(
    """
    import json
    from pathlib import Path

    import pytest

    CURRENCY = None


    def pytest_addoption(parser):
        parser.addoption("--currency", default="EUR")


    def pytest_configure(config):
        global CURRENCY
        CURRENCY = config.getoption("--currency")


    @pytest.fixture(scope="session")
    def cases():
        return json.loads((Path(__file__).parent / "cases.json").read_text())
    """
).lstrip("\n")


def _ledger_cases() -> list[dict[str, object]]:
    cases = []
    for index in range(10):
        prices = [10 * (index + 1), 10 * (index % 3)]
        percent = 5 * (index % 4)
        subtotal = float(sum(prices))
        if subtotal >= 100:  # the intended rule: the threshold itself earns the discount
            subtotal -= subtotal * percent / 100
        expected = round(subtotal * 1.2, 2)
        cases.append(
            {"name": f"basket{index}", "prices": prices, "percent": percent, "expected": expected}
        )
    return cases


def ledger(base: Path) -> Suite:
    root = base / "ledger"
    _write(
        root,
        {
            "pyproject.toml": src_layout_pyproject("ledger"),
            "src/ledger/__init__.py": "from .pricing import total\n",
            "src/ledger/pricing.py": LEDGER_PRICING,
            "tests/conftest.py": CONFTEST_OPTIONS
            + textwrap.dedent(
                """

                @pytest.fixture
                def receipt(tmp_path):
                    path = tmp_path / "receipt.txt"
                    path.write_text(CURRENCY + "\\n")
                    yield path
                    path.unlink()
                """
            ),
            "tests/test_pricing.py": """
                import json
                from pathlib import Path

                import pytest
                from ledger.pricing import TAX_RATE, total

                CASES = json.loads((Path(__file__).parent / "cases.json").read_text())


                @pytest.mark.money
                @pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
                def test_total(case, receipt):
                    amount = total(case["prices"], case["percent"])
                    receipt.write_text(receipt.read_text() + str(amount))
                    assert amount == case["expected"]


                def test_every_case_is_loaded(cases):
                    assert len(cases) == len(CASES)


                def test_tax_is_printed(capsys, monkeypatch):
                    monkeypatch.setenv("LEDGER_VERBOSE", "1")
                    print(f"tax {TAX_RATE:.0%}")
                    assert capsys.readouterr().out == "tax 20%\\n"
            """,
        },
    )
    (root / "tests" / "cases.json").write_text(json.dumps(_ledger_cases(), indent=1))
    return Suite("ledger", root, "src/ledger/pricing.py", ("tests/test_pricing.py",))


BISECT_SEARCH = '''
"""Binary search over a sorted list."""


def find_index(items, value):
    lo, hi = 0, len(items)
    while lo < hi:
        mid = (lo + hi) // 2
        if items[mid] < value:
            lo = mid
        else:
            hi = mid
    if lo < len(items) and items[lo] == value:
        return lo
    return -1
'''


def bisect(base: Path) -> Suite:
    """Every failing test of the buggy version loops forever (`lo = mid` never moves)."""
    root = base / "bisect"
    rows = ["items,value,expected"]
    rows += ["1 3 5 7,1,0", "1 3 5 7,0,-1", ",4,-1", "2,2,0", "2 4,1,-1", "10 20 30,5,-1"]
    rows += ["1 3 5 7,5,2", "1 3 5 7,7,3", "2 4,4,1", "10 20 30,30,2"]  # these hang
    _write(
        root,
        {
            "setup.cfg": """
                [tool:pytest]
                testpaths = tests
                addopts = --strict-markers
            """,
            "finder/__init__.py": "",
            "finder/search.py": BISECT_SEARCH,
            "tests/test_search.py": """
                import csv
                from pathlib import Path

                import pytest
                from finder.search import find_index

                with open(Path(__file__).parent / "cases.csv", newline="") as handle:
                    ROWS = list(csv.DictReader(handle))


                def case(row):
                    items = [int(word) for word in row["items"].split()]
                    return items, int(row["value"]), int(row["expected"])


                @pytest.mark.parametrize("row", ROWS, ids=[f"{r['items']}:{r['value']}" for r in ROWS])
                def test_find_index(row):
                    items, value, expected = case(row)
                    assert find_index(items, value) == expected
            """,
            "tests/cases.csv": "\n".join(rows) + "\n",
        },
    )
    return Suite("bisect", root, "finder/search.py", ("tests/test_search.py",))


PLAIN_PROG = """
def average(values):
    total = 0
    for value in values:
        total += value
    return total / len(values) + 1


def spread(values):
    return max(values) - min(values)
"""


def plain(base: Path) -> Suite:
    root = base / "plain"
    tests = ["from prog import average, spread\n"]
    for index in range(1, 9):
        values = list(range(index, index + 4))
        tests.append(
            f"\n\ndef test_average_{index}():\n    assert average({values}) == {sum(values) / 4}\n"
        )
    tests.append("\n\ndef test_spread():\n    assert spread([3, 9, 4]) == 6\n")
    _write(root, {"prog.py": PLAIN_PROG})
    (root / "test_prog.py").write_text("".join(tests), encoding="utf-8")
    return Suite("plain", root, "prog.py", ("test_prog.py",))
