"""Admin of the shipping integrations."""
