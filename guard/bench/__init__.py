"""Benchmarks behind ``guard bench``: every figure is a median and p95 over repeated runs,
and every comparison is measured side by side in the same run."""
