"""The one webhook receiving view, as channels and shipping configure it: the rules that apply
before any vendor code runs (method, account, size)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from channels_app.models import InboundEvent
from channels_app.services.accounts import account_create
from config.integrations import webhooks
from shipping_app.models import ShippingWebhookEvent
from shipping_app.services.accounts import shipping_account_create

pytestmark = pytest.mark.django_db


def _urls() -> list[str]:
    channel = account_create(
        kind="generic",
        name="Shop",
        base_url="https://shop.example.com/api/",
        credentials={"api_key": "k", "webhook_secret": "s"},
    )
    shipping = shipping_account_create(
        provider="shipstation",
        name="Ship",
        base_url="https://ssapi.shipstation.com/",
        credentials={"api_key": "k", "api_secret": "s"},
    )
    return [
        reverse("channels_webhooks:receive", args=[channel.webhook_token]),
        reverse("shipping_webhooks:receive", args=[shipping.webhook_token]),
    ]


def test_only_post_is_answered_and_without_csrf(client):
    client.handler.enforce_csrf_checks = True
    for url in _urls():
        for method in (client.get, client.put, client.options):
            response = method(url)
            assert (response.status_code, response["Allow"]) == (405, "POST")
        assert client.post(url, data=b"{}", content_type="application/json").status_code in (400, 401)
    assert (InboundEvent.objects.count(), ShippingWebhookEvent.objects.count()) == (0, 0)


def test_unknown_token_is_404_and_an_oversized_body_413_before_the_vendor_code(client, monkeypatch):
    monkeypatch.setattr(webhooks.WebhookReceiveView, "max_body", 10)
    for url in _urls():
        unknown = url.rstrip("/").rsplit("/", 1)[0] + "/no-such-token/"
        assert client.post(unknown, data=b"{}", content_type="application/json").status_code == 404
        response = client.post(url, data=b'{"a": "0123456789"}', content_type="application/json")
        assert (response.status_code, response.json()) == (413, {"detail": "body too large"})
    assert (InboundEvent.objects.count(), ShippingWebhookEvent.objects.count()) == (0, 0)
