"""Connectors: one package per channel kind, all implementing ``connectors.base.Connector``."""
