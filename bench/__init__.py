"""Benchmarks: one module per figure, each printing ratios against a reference measured in the same run."""
