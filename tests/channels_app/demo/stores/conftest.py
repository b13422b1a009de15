"""Fixtures of the demo store tests: our app on a real port (deliveries from the fakes)."""

from tests.channels_app.connectors.shopify.conftest import django_server  # noqa: F401 - a fixture
