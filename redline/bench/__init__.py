"""Benchmarks: each measures redline beside a baseline run in the same process."""
