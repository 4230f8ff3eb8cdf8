import pytest

import stockroom.store
from stockroom.models import OutOfStock


class TestReceiving:
    def test_receive_adds_up(self, warehouse):
        warehouse.receive("BOLT-M6", 20)
        assert warehouse.available("BOLT-M6") == 520

    def test_unknown_sku(self, warehouse):
        with pytest.raises(KeyError):
            warehouse.receive("SCREW-X", 1)

    def test_new_site_is_empty(self, catalogue):
        site = stockroom.store.Warehouse("south", catalogue)
        assert site.available("BOLT-M6") == 0
        assert site.stock_value() == 0


@pytest.mark.reservations
class TestReservations:
    def test_reserve_lowers_available(self, warehouse):
        warehouse.reserve("A-1", "DRILL-8", 4)
        assert warehouse.available("DRILL-8") == 6

    def test_cannot_reserve_more_than_available(self, warehouse):
        with pytest.raises(OutOfStock):
            warehouse.reserve("A-2", "DRILL-8", 11)

    def test_ship(self, warehouse):
        warehouse.reserve("A-3", "BOLT-M6", 100)
        warehouse.ship("A-3")
        assert warehouse.on_hand["BOLT-M6"] == 400


def test_stock_value(warehouse):
    assert warehouse.stock_value() == 94.0
