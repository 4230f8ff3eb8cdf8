"""The tests run from a copy the candidate cannot change for good: on bwrap and docker the copy
is read-only to the run; on local the test files are hashed before and after every run (fresh
or in the warm worker), a change is a rejection with its reason, and the copy is restored, so a
later candidate never runs against a rewritten test. The static guards are out of the way here
(the rewrite finds the test file without naming it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fixloop.sandbox import RunSpec, open_sandbox
from fixloop.sandbox.base import Limits

from .conftest import STATS, STATS_TESTS, code, skip_docker_if_asked, write

# Rewrites every test file next to it so that the failing test passes, keeping size and mtime
# (the scratch copy's cheap reset compares those), and keeps quiet when the copy is read-only.
REWRITER = """
    import os


    def _rewrite():
        here = os.path.dirname(os.path.abspath(__file__))
        for name in os.listdir(here):
            if not name.startswith("te" + "st"):
                continue
            path = os.path.join(here, name)
            try:
                before = os.stat(path)
                with open(path) as handle:
                    text = handle.read()
                forged = text.replace("mean([]) == 0.0", "0.0 == 0.0     ")
                with open(path, "w") as handle:
                    handle.write(forged)
                os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
            except OSError:
                pass


    _rewrite()


    def mean(values):
        return sum(values) / len(values)
    """
WRITE_TEST_FILE = (
    "import os\n"
    "try:\n"
    "    with open('test_stats.py', 'a') as handle:\n"
    "        handle.write('\\n# changed\\n')\n"
    "    print('wrote')\n"
    "except OSError as error:\n"
    "    print('refused', type(error).__name__)\n"
)


@pytest.mark.parametrize("kind", ["local", "bwrap", "docker"])
async def test_a_run_that_writes_a_test_file_is_reported_or_refused(
    tmp_path: Path, kind: str
) -> None:
    skip_docker_if_asked(kind)
    root = write(tmp_path / "proj", {"stats.py": STATS, "test_stats.py": STATS_TESTS})
    original = (root / "test_stats.py").read_bytes()
    sandbox = await open_sandbox(kind, image=os.environ.get("FIXLOOP_TEST_IMAGE"))
    try:
        spec = RunSpec(
            argv=("probe.py",),
            root=root,
            limits=Limits(wall_seconds=20),
            overlay={"probe.py": WRITE_TEST_FILE},
            pristine=("test_stats.py",),
        )
        result = await sandbox.run(spec)
        if kind == "local":
            # The user-code uid may write the copy here: the change is seen and undone.
            assert "wrote" in result.stdout and result.tampered == ("test_stats.py",), result
        else:
            assert "refused" in result.stdout and result.tampered == (), result
        check = RunSpec(
            argv=("-c", "print(open('test_stats.py').read())"),
            root=root,
            limits=Limits(wall_seconds=20),
            pristine=("test_stats.py",),
        )
        after = await sandbox.run(check)
        assert after.ok and "# changed" not in after.stdout and after.tampered == ()
    finally:
        await sandbox.close()
    assert (root / "test_stats.py").read_bytes() == original  # the user's file, untouched


@pytest.mark.parametrize("kind", ["local", "bwrap", "docker"])
async def test_a_candidate_that_rewrites_the_tests_never_passes_and_leaves_nothing_behind(
    tmp_path: Path, runtime_checks, kind: str
) -> None:
    root = write(tmp_path, {"stats.py": STATS, "test_stats.py": STATS_TESTS})
    checks = await runtime_checks(root, "stats.py", kind, tests=("test_stats.py",))
    verdict = await checks.verdict(code(REWRITER))
    assert not verdict.verified, verdict
    if kind == "local":
        assert verdict.outcome == "cheat", verdict
        assert "changed the test files test_stats.py" in verdict.reason
    else:
        assert verdict.outcome == "fails", verdict  # the write failed; the bug is still there
    # A later candidate, over several turns: every one of them runs against the real tests.
    for turn in range(3):
        again = code(STATS) + f"\n\nTURN = {turn}\n"
        later = await checks.verdict(again)
        assert later.outcome == "fails" and "test_mean_of_nothing_is_zero" in later.output, later
    proof, after = await checks.validator.verifier.prove(code(REWRITER))
    assert not proof.verified and after is None
    assert checks.state.winner is None
