"""Tools around the product: the benchmark and the demo office."""
