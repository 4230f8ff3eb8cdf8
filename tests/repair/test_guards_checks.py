"""The program's checks are the spec: with no tests, no assert or raise-guard may be weakened,
inverted, bypassed or dropped; with tests such a change may run but is reported. Tautologies are
refused whatever the oracle."""

from __future__ import annotations

import pytest
from fixloop.guards import GuardSet, Screening
from fixloop.spans import LineRange

TOTAL = """def total(values):
    result = 0
    for value in values:
        result -= value
    assert result == sum(values)
    return result


print(total([1, 2, 3]))
"""
BANK = """def withdraw(balance, amount):
    if amount > balance:
        raise ValueError("insufficient funds")
    return balance - amount


print(withdraw(100, 50))
"""
ASSERT = "    assert result == sum(values)\n"


def screen(original: str, candidate: str, *, with_tests: bool = False) -> Screening:
    guards = GuardSet(
        original,
        LineRange(1, len(original.splitlines())),
        failing_lines={5},
        allow_header_imports=False,
        failing_error="AssertionError",
        test_files=("test_total.py",) if with_tests else (),
        checks_are_spec=not with_tests,
    )
    return guards.screen(candidate)


WEAKENED_TOTAL = {
    "inverted": TOTAL.replace("result == sum", "result != sum"),
    "negated": TOTAL.replace("assert result == sum(values)", "assert not result == sum(values)"),
    "relaxed": TOTAL.replace("assert result == sum(values)", "assert result <= sum(values)"),
    "or-ed": TOTAL.replace(
        "assert result == sum(values)", "assert result == sum(values) or result < 0"
    ),
    "constant": TOTAL.replace("assert result == sum(values)", "assert 1"),
    "deleted": TOTAL.replace(ASSERT, ""),
    "commented out": TOTAL.replace(ASSERT, "    # assert result == sum(values)\n"),
    "under if False": TOTAL.replace(ASSERT, "    if False:\n" + "    " + ASSERT),
    "under a new condition": TOTAL.replace(ASSERT, "    if values:\n" + "    " + ASSERT),
    "after a return": TOTAL.replace(ASSERT, "    return result\n" + ASSERT),
    "bypassed": TOTAL.replace(
        ASSERT, "    if result != sum(values):\n        return result\n" + ASSERT
    ),
    "bypassed by a disjunct": TOTAL.replace(
        ASSERT, "    if not values or result != sum(values):\n        return result\n" + ASSERT
    ),
    "in a loop over nothing": TOTAL.replace(ASSERT, "    for _ in range(0):\n    " + ASSERT),
    "in a while False": TOTAL.replace(ASSERT, "    while 0:\n    " + ASSERT),
}
WEAKENED_BANK = {
    "inverted": BANK.replace("amount > balance", "amount < balance"),
    "relaxed": BANK.replace("amount > balance", "amount > balance * 2"),
    "and-ed": BANK.replace("amount > balance", "amount > balance and amount > 1000"),
    "constant": BANK.replace("amount > balance", "False"),
    "raise replaced": BANK.replace('raise ValueError("insufficient funds")', "return balance"),
    "raise type changed": BANK.replace("ValueError", "Warning"),
    "bypassed": BANK.replace(
        "    if amount > balance:\n",
        "    if amount > balance:\n        return 0\n    if amount > balance:\n",
    ),
    "guard deleted": BANK.replace(
        '    if amount > balance:\n        raise ValueError("insufficient funds")\n', ""
    ),
}


@pytest.mark.parametrize("name", sorted(WEAKENED_TOTAL))
def test_a_weakened_assert_is_refused_without_tests(name: str) -> None:
    screening = screen(TOTAL, WEAKENED_TOTAL[name])
    assert screening.refused, name
    because = ("line 5", "always holds", "unreachable code", "deletes the failing statement")
    assert any(words in screening.reason for words in because), screening.reason


@pytest.mark.parametrize("name", sorted(WEAKENED_BANK))
def test_a_weakened_raise_guard_is_refused_without_tests(name: str) -> None:
    screening = screen(BANK, WEAKENED_BANK[name])
    assert screening.refused and "raise" in screening.reason, (name, screening.reason)


def test_the_real_fix_and_stronger_checks_pass() -> None:
    assert screen(TOTAL, TOTAL.replace("result -= value", "result += value")).outcome == "run"
    stronger = TOTAL.replace(
        "assert result == sum(values)", "assert result == sum(values) and result >= 0"
    )
    assert screen(TOTAL, stronger) == Screening("run")
    wider_guard = BANK.replace("amount > balance", "amount > balance or amount < 0")
    assert screen(BANK, wider_guard) == Screening("run")
    message_only = BANK.replace("insufficient funds", "not enough money")
    assert screen(BANK, message_only) == Screening("run")
    formatting = TOTAL.replace("assert result == sum(values)", "assert (result ==   sum(values))")
    assert screen(TOTAL, formatting) == Screening("run")


def test_with_tests_a_changed_check_may_run_and_is_reported() -> None:
    screening = screen(TOTAL, WEAKENED_TOTAL["inverted"], with_tests=True)
    assert screening.outcome == "run"
    assert "assert at line 5" in screening.changes_check
    bank = screen(BANK, WEAKENED_BANK["inverted"], with_tests=True)
    assert bank.outcome == "run" and "amount > balance" in bank.changes_check
    honest = screen(TOTAL, TOTAL.replace("result -= value", "result += value"), with_tests=True)
    assert honest == Screening("run")


@pytest.mark.parametrize(
    "test",
    [
        "result == sum(values) or True",
        "True or result == sum(values)",
        "result == result",
        "(result == sum(values), 'must add up')",
        "len(values) >= 0",
        "result == sum(values) or 1",
        "not not (1 or result)",
        "isinstance(result, object)",
        "2 > 1",
    ],
)
def test_asserts_that_always_hold_are_refused_even_with_tests(test: str) -> None:
    candidate = TOTAL.replace("assert result == sum(values)", f"assert {test}")
    screening = screen(TOTAL, candidate, with_tests=True)
    assert screening.refused and "always holds" in screening.reason, screening


def test_the_failing_check_is_named_as_such() -> None:
    assert "the failing check" in screen(TOTAL, WEAKENED_TOTAL["inverted"]).reason


def test_large_files_compare_only_the_touched_statements() -> None:
    filler = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(1600))
    original = filler + TOTAL
    guards = GuardSet(
        original,
        LineRange(1, len(original.splitlines())),
        failing_lines=set(),
        allow_header_imports=False,
    )
    inverted = original.replace("result == sum", "result != sum")
    screening = guards.screen(inverted)
    assert screening.refused and f"line {6400 + 5}" in screening.reason, screening.reason
    assert guards.screen(original.replace("result -= value", "result += value")).outcome == "run"
