"""Benchmarks and the holiday-rush simulation. Each prints its figures as JSON."""
