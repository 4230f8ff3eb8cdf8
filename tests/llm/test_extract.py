"""Every model-layer answer hazard: extraction accepts real code and rejects the rest with a reason."""

from __future__ import annotations

import pytest
from fixloop.repair.llm.extract import extract_code, fit_to_range

GOOD = (
    "Here is the fix:\n```python\ndef mean(xs):\n    return sum(xs) / len(xs) if xs else 0.0\n```\n"
)


def test_fenced_python_is_extracted() -> None:
    result = extract_code(GOOD)
    assert result.code == "def mean(xs):\n    return sum(xs) / len(xs) if xs else 0.0\n"


def test_untagged_fence_and_tilde_fence_count_as_python() -> None:
    assert extract_code("```\nx = 1\n```").code == "x = 1\n"
    assert extract_code("~~~py\nx = 2\n~~~").code == "x = 2\n"


def test_the_longest_parsing_python_block_wins() -> None:
    answer = "Use `x`:\n```python\nx\n```\nFull:\n```python\ndef f():\n    return 1\n```\n```text\nnote\n```"
    assert extract_code(answer).code == "def f():\n    return 1\n"


def test_unfenced_code_is_accepted_but_prose_is_not() -> None:
    assert extract_code("def f():\n    return 1\n").code == "def f():\n    return 1\n"
    prose = extract_code("The bug is an off-by-one error in the loop; change the bound.")
    assert prose.code is None and "prose only" in prose.reason


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("", "empty"),
        ("```diff\n--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n```", "diff"),
        ("```python\n--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n```", "diff"),
        ("```javascript\nfunction f() { return 1 }\n```", "wrong language (javascript)"),
        ("```bash\nrm -rf /\n```", "only shell blocks"),
        ("```python\ndef f(xs):\n    # ... rest unchanged\n    return 1\n```", "placeholder"),
        ("```python\ndef f(xs):\n    ...\n```", "placeholder"),
        ("```python\ndef f(xs):\n    # rest of the function\n```", "placeholder"),
        ("```python\ndef f(xs):\n    return [", "not closed"),
    ],
)
def test_unusable_answers_are_rejected_with_a_reason(answer: str, reason: str) -> None:
    result = extract_code(answer)
    assert result.code is None and reason in result.reason


def test_cut_off_and_enormous_answers_are_rejected() -> None:
    assert "cut off" in extract_code(GOOD, finish_reason="length").reason
    huge = "```python\n" + "x = 1\n" * 20_000 + "```"
    assert "too large" in extract_code(huge, max_chars=40_000).reason


def test_an_ellipsis_the_original_had_is_not_a_placeholder() -> None:
    original = "class P(Protocol):\n    def f(self): ...\n    ...\n"
    assert extract_code("```python\nclass P(Protocol):\n    ...\n```", original=original).ok


def test_filename_hint_is_reported() -> None:
    assert extract_code("```python\n# filename: fib.py\nprint(1)\n```").filename == "fib.py"


SOURCE = "import math\n\n\nclass Stats:\n    def mean(self, xs):\n        return sum(xs) / len(xs)\n\n\nprint(Stats().mean([]))\n"


def test_fit_restores_the_indentation_of_a_dedented_method() -> None:
    code = "def mean(self, xs):\n    return sum(xs) / len(xs) if xs else 0.0\n"
    fitted = fit_to_range(code, SOURCE, 5, 6)
    assert fitted == "    def mean(self, xs):\n        return sum(xs) / len(xs) if xs else 0.0\n"


def test_fit_cuts_a_whole_file_answer_down_to_the_range() -> None:
    whole = SOURCE.replace("return sum(xs) / len(xs)", "return sum(xs) / len(xs) if xs else 0.0")
    fitted = fit_to_range(whole, SOURCE, 5, 6)
    assert fitted == "    def mean(self, xs):\n        return sum(xs) / len(xs) if xs else 0.0\n"


def test_redefining_a_function_outside_the_range_is_detected() -> None:
    source = "def a():\n    return 1\n\n\ndef b():\n    return 2\n"
    from fixloop.repair.llm.extract import redefined_outside

    assert redefined_outside(
        "def a():\n    return 3\n\n\ndef b():\n    return 4\n", source, 1, 2
    ) == ["b"]
    assert redefined_outside("def a():\n    return 3\n", source, 1, 2) == []
