"""Read-only queries of the core."""
