"""Hidden checks for async_portfolio: lower-case symbols, unknown symbols, empty portfolios."""
import asyncio

import pytest

from prog import portfolio_value, position_value


def test_lower_case_symbol():
    assert asyncio.run(position_value("acme", 1)) == 12.5


def test_unknown_symbol_is_a_lookup_error():
    with pytest.raises(LookupError):
        asyncio.run(position_value("UMBRELLA", 1))


def test_zero_shares_and_empty_portfolio():
    assert asyncio.run(position_value("GLOBEX", 0)) == 0
    assert asyncio.run(portfolio_value({})) == 0


def test_three_positions():
    holdings = {"ACME": 1, "GLOBEX": 2, "INITECH": 4}
    assert asyncio.run(portfolio_value(holdings)) == 105.5
