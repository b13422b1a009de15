"""Reads of the accounting integrations."""
