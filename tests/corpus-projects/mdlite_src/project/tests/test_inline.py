import json
from pathlib import Path

import pytest

from mdlite.inline import render_inline

CASES = json.loads((Path(__file__).parent / "data" / "inline_cases.json").read_text())


@pytest.mark.inline
@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_inline(case):
    assert render_inline(case["markdown"]) == case["html"]
