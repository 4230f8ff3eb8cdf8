import json
from pathlib import Path

import pytest

from router.dispatch import NotFound, default_router

ROUTES = json.loads((Path(__file__).parent / "data" / "routes.json").read_text())


@pytest.mark.converters
@pytest.mark.parametrize("case", ROUTES, ids=lambda c: c["path"])
def test_resolve(case):
    router = default_router()
    if case["name"] is None:
        with pytest.raises(NotFound):
            router.resolve(case["path"])
    else:
        assert router.resolve(case["path"]) == (case["name"], case["params"])
