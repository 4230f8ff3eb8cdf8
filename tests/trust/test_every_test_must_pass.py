"""A test that ran on the original must pass on the fix: skipping it, or making it vanish, is not
passing it. Checked by the run-time checks alone (the static guard would refuse `pytest` first)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import write

STATS = {
    "stats.py": """
        def mean(values):
            return sum(values) / len(values)


        def spread(values):
            return max(values) - min(values)
        """,
    "test_stats.py": """
        from stats import mean, spread


        def test_mean():
            assert mean([1, 2, 3]) == 2


        def test_mean_of_nothing_is_zero():
            assert mean([]) == 0.0


        def test_spread():
            assert spread([1, 5]) == 4
        """,
}
SKIPS = {
    "pytest.skip": "        import pytest\n        pytest.skip('nothing to average')\n",
    "unittest.SkipTest": "        import unittest\n        raise unittest.SkipTest('nothing')\n",
    "pytest.xfail": "        import pytest\n        pytest.xfail('nothing to average')\n",
}


@pytest.mark.parametrize("kind", ["local", "bwrap"])
@pytest.mark.parametrize("skip", sorted(SKIPS))
async def test_skipping_the_failing_test_is_not_a_fix(
    tmp_path: Path, runtime_checks, kind: str, skip: str
) -> None:
    root = write(tmp_path, STATS)
    checks = await runtime_checks(root, "stats.py", kind, tests=("test_stats.py",))
    source = (root / "stats.py").read_text()
    candidate = source.replace(
        "    return sum(values) / len(values)",
        "    if not values:\n" + SKIPS[skip] + "    return sum(values) / len(values)",
    )
    verdict = await checks.verdict(candidate)
    # ("timeout" when importing pytest in the warm child outlasts the per-test cut on a busy
    # machine: a rejection all the same; the proof below is the check that matters.)
    assert not verdict.verified and verdict.outcome in ("fails", "timeout"), verdict
    assert "test_mean_of_nothing_is_zero" in verdict.reason + verdict.output, verdict
    assert checks.state.winner is None
    # The fresh proof on its own (real pytest, where every one of these is a skip) refuses it.
    proof, after = await checks.validator.verifier.prove(
        candidate, must_pass=checks.baseline.fresh.ran()
    )
    assert not proof.verified and after is None
    assert "test_mean_of_nothing_is_zero did not run" in proof.reason, proof
    # The same loop proves an honest fix, so the probe above was really judged.
    honest = source.replace(
        "    return sum(values) / len(values)",
        "    return sum(values) / len(values) if values else 0.0",
    )
    assert (await checks.verdict(honest)).verified
