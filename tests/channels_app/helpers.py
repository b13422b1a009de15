"""Helpers shared by the channel tests."""

from __future__ import annotations

from django.urls import reverse


def webhook_post(client, account, body: bytes, headers: dict):
    """POST a signed delivery to the account's webhook URL with the Django test client."""
    url = reverse("channels_webhooks:receive", args=[account.webhook_token])
    return client.post(url, data=body, content_type="application/json", headers=headers)
