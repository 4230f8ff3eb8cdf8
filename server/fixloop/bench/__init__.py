"""Benchmarks behind `fixloop bench`: each prints medians and ratios against a baseline run alongside."""
