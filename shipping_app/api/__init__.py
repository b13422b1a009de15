"""REST endpoints of the shipping integrations (mounted at /api/v1/shipping/)."""
