"""Hidden checks for async_crawl_script: the exact report, retries included."""
import subprocess
import sys
from pathlib import Path


def run_script():
    return subprocess.run(
        [sys.executable, str(Path(__file__).with_name("prog.py"))],
        capture_output=True, text=True, timeout=30,
    )


def test_report_lines():
    done = run_script()
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "crawling 3 pages",
        "/: 4 words",
        "/about: 6 words",
        "/news: 4 words",
        "requests: 5",
    ]


def test_no_coroutine_left_unawaited():
    assert "never awaited" not in run_script().stderr
