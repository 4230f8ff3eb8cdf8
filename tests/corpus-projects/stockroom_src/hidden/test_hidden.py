"""Hidden checks for stockroom_src: sites never share stock or reservations."""
from stockroom.store import Warehouse, default_catalogue


def test_two_sites_keep_their_own_stock():
    north = Warehouse("north", default_catalogue())
    south = Warehouse("south", default_catalogue())
    north.receive("NUT-M6", 7)
    assert south.available("NUT-M6") == 0
    assert north.available("NUT-M6") == 7


def test_reservations_are_per_site():
    a = Warehouse("a", default_catalogue())
    b = Warehouse("b", default_catalogue())
    a.receive("DRILL-8", 3)
    b.receive("DRILL-8", 3)
    a.reserve("o1", "DRILL-8", 3)
    assert b.available("DRILL-8") == 3
    assert b.reservations == []


def test_fresh_site_value():
    Warehouse("x", default_catalogue()).receive("BOLT-M6", 1000)
    assert Warehouse("y", default_catalogue()).stock_value() == 0
