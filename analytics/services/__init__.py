"""Analytics' writes: one module per workflow (`rollups`: the daily account metrics)."""
