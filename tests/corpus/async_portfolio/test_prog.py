import asyncio

from prog import portfolio_value, position_value


def test_single_position():
    assert asyncio.run(position_value("INITECH", 4)) == 13.0


def test_portfolio():
    holdings = {"ACME": 2, "GLOBEX": 1}
    assert asyncio.run(portfolio_value(holdings)) == 65.0
