"""Tests of the benchmark scripts' helpers (no timings)."""
