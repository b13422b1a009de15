"""Accounting exporters: the interface (``base``), the registry and one package per vendor."""
