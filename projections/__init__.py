"""Read models folded from the log, and the pure calculations behind them."""
