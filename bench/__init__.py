"""Benchmarks behind `make bench`. They print figures; none of them is a test."""
