"""Xero Accounting API exporter: OAuth 2.0, tenants, invoices, manual journals, contacts."""
