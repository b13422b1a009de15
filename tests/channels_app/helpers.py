"""Helpers shared by the channel tests."""

from __future__ import annotations

from django.urls import reverse


def webhook_post(client, account, body: bytes, headers: dict):
    """POST a signed delivery to the account's webhook URL with the Django test client."""
    url = reverse("channels_webhooks:receive", args=[account.webhook_token])
    return client.post(url, data=body, content_type="application/json", headers=headers)


def shopify_connect(client, account, *, tamper=None):
    """Staff click "Connect Shopify" on ``account``; the fake shop approves at once and redirects
    back; the callback is followed with the Django test client. ``tamper(query dict)`` may change
    the callback's query first. Returns the callback's response."""
    from urllib.parse import parse_qsl, urlencode, urlsplit

    import requests

    start = client.get(reverse("admin:channels_app_channelaccount_connect", args=[account.pk]))
    assert start.status_code == 302, start.content[:500]
    approved = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert approved.status_code == 302, approved.text[:500]
    back = urlsplit(approved.headers["Location"])
    query = dict(parse_qsl(back.query))
    if tamper is not None:
        tamper(query)
    return client.get(f"{back.path}?{urlencode(query)}")
