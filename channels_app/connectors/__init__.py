"""Connectors: one package per channel kind, each a ``connectors.base.Connector`` with the
capabilities its channel has (``connectors.base``); the walkthrough is docs/adding-a-channel.md."""
