"""Order life cycle for the shop back office: states, transitions and the rules behind them."""
