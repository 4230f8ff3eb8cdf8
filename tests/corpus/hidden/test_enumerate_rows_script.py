"""Hidden checks for enumerate_rows_script: the full table, ranked by revenue."""
import subprocess
import sys
from pathlib import Path


def test_table():
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("prog.py"))],
        capture_output=True, text=True, timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        " #  product              revenue",
        " 1  espresso machine     7938.00",
        " 2  grinder              3676.50",
        " 3  milk jug             1188.00",
        " 4  scale                 792.00",
        "best seller share: 58.4%",
    ]
