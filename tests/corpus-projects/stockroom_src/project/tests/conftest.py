import pytest

from stockroom.store import Warehouse, default_catalogue


@pytest.fixture
def catalogue():
    return default_catalogue()


@pytest.fixture
def warehouse(catalogue):
    site = Warehouse("north", catalogue)
    site.receive("BOLT-M6", 500)
    site.receive("DRILL-8", 10)
    yield site
    # Every test must leave its reservations shipped or cancelled.
    site.reservations.clear()
