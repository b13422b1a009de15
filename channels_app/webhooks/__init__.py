"""Inbound channel webhooks: one URL per account."""
