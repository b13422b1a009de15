"""Writes of the accounting integrations."""
