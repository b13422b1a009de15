"""REST API routes (owned by the API work; placeholder until it lands)."""

urlpatterns: list = []
