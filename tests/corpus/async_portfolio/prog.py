"""Value a portfolio of shares with prices from an asynchronous quote service."""

import asyncio

QUOTES = {"ACME": 12.5, "GLOBEX": 40.0, "INITECH": 3.25}


async def fetch_quote(symbol):
    """Ask the (pretend) remote service for the latest price of a symbol."""
    await asyncio.sleep(0)
    try:
        return QUOTES[symbol.upper()]
    except KeyError:
        raise LookupError(f"unknown symbol {symbol!r}") from None


async def position_value(symbol, shares):
    price = fetch_quote(symbol)
    return round(price * shares, 2)


async def portfolio_value(holdings):
    """Total value of a {symbol: shares} mapping, positions priced concurrently."""
    values = await asyncio.gather(
        *(position_value(symbol, shares) for symbol, shares in holdings.items())
    )
    return round(sum(values), 2)
