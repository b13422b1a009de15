"""Fake vendor servers that speak the vendors' real protocols on 127.0.0.1."""
