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


def test_query_string_secrets_are_masked_wherever_a_url_is_logged():
    url = "GET /net/WebService.aspx?Login=a%40b.com&EncryptedPassword=9F2A77&EDI_Name=Generic%5COrders"
    quoted = "url='https://shop.example.com/net/WebService.aspx?encryptedpassword=9f2a77'"

    assert mask_webhook_tokens(url) == (
        "GET /net/WebService.aspx?Login=a%40b.com&EncryptedPassword=********&EDI_Name=Generic%5COrders"
    )
    assert (
        mask_webhook_tokens(quoted)
        == "url='https://shop.example.com/net/WebService.aspx?encryptedpassword=********'"
    )


def test_a_log_record_carrying_an_encrypted_password_is_masked():
    record = logging.LogRecord(
        "urllib3",
        logging.DEBUG,
        __file__,
        1,
        '"GET /net/WebService.aspx?EncryptedPassword=%s HTTP/1.1" 200',
        ("ABCDEF0123",),
        None,
    )

    WebhookTokenLogFilter().filter(record)

    assert record.getMessage() == '"GET /net/WebService.aspx?EncryptedPassword=******** HTTP/1.1" 200'
