"""Webhook tokens are masked in Django's log lines (gunicorn's access log: tests/config/test_runall.py)."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from channels_app.services.accounts import account_create
from config.logmasking import WebhookTokenLogFilter, mask_webhook_tokens


def test_mask_webhook_tokens_in_paths_and_urls():
    text = "POST /webhooks/channels/abc123/ and https://x.example/webhooks/shipping/def-456/?a=1"
    text += ' "/webhooks/channels/q"'

    assert mask_webhook_tokens(text) == (
        "POST /webhooks/channels/********/ and https://x.example/webhooks/shipping/********/?a=1 "
        '"/webhooks/channels/********"'
    )
    assert mask_webhook_tokens("GET /api/v1/skus/") == "GET /api/v1/skus/"


@pytest.mark.django_db
def test_django_request_log_lines_never_show_a_webhook_token(caplog):
    account = account_create(
        kind="generic", name="Shop", base_url="https://shop.example.com/", credentials={"api_key": "k"}
    )
    handler = logging.getLogger().handlers[0]
    assert any(isinstance(f, WebhookTokenLogFilter) for f in handler.filters)  # the console handler
    caplog.handler.addFilter(WebhookTokenLogFilter())

    unknown = Client().post("/webhooks/channels/not-a-token-42/", "{}", content_type="application/json")
    unsigned = Client().post(
        f"/webhooks/channels/{account.webhook_token}/", "{}", content_type="application/json"
    )

    assert unknown.status_code == 404 and unsigned.status_code in (400, 401, 403)
    assert "/webhooks/channels/********/" in caplog.text
    assert "not-a-token-42" not in caplog.text and account.webhook_token not in caplog.text
