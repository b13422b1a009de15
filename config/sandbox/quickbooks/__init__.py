"""Fake QuickBooks Online (Intuit OAuth + Accounting API v3) on 127.0.0.1 for the exporter tests."""
