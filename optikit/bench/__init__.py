"""Benchmark runner."""
