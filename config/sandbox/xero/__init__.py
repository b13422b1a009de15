"""Fake Xero (identity + Accounting API) on 127.0.0.1 for the accounting exporter tests."""
