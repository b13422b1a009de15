"""REST API of the sync engine (mounted under api/v1/ by config/urls.py)."""
