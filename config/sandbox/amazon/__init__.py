"""Fake Amazon Selling Partner API (Login with Amazon, Orders v0, Listings Items 2021-08-01,
Feeds 2021-06-30) for connector tests, benchmarks and the demo. See README.md."""

from .clock import FakeClock
from .server import FakeAmazon, fake_amazon_fixture
from .state import AmazonState, FakeAmazonError, FakeConfig, OutOfStock

__all__ = [
    "AmazonState",
    "FakeAmazon",
    "FakeAmazonError",
    "FakeClock",
    "FakeConfig",
    "OutOfStock",
    "fake_amazon_fixture",
]
