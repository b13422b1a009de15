"""Fixtures of the demo service tests: the fake Shopify and Amazon stores every demo starts from."""

from __future__ import annotations

import pytest

from channels_app.demo.fakes import amazon_start, shopify_start


@pytest.fixture
def stores():
    """The demo's fake Shopify shop and fake Amazon (SP-API) on free ports, stopped at the end."""
    shopify = shopify_start(host="127.0.0.1", port=0, validate=False)
    amazon = amazon_start(host="127.0.0.1", port=0, pending_seconds=60)
    yield shopify, amazon
    shopify.stop()
    amazon.stop()
