"""Read-only queries of the shipping integrations."""
