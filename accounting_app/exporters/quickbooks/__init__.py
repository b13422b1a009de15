"""QuickBooks Online Accounting API v3 exporter: OAuth 2.0, realm, sales receipts/invoices,
journal entries, bills, customers and vendors."""
