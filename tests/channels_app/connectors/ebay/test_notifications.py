"""eBay's signed notifications and endpoint challenges, through our routes: a forged notification
is refused (412, nothing stored), a genuine ORDER_CONFIRMATION is stored with its order, the
account-deletion challenge answers as eBay specifies and a deletion notice erases the seller."""

from __future__ import annotations

import base64
import json

import pytest
from django.urls import reverse

from channels_app.connectors.ebay.notifications import challenge_response
from channels_app.models import ChannelAccount, ChannelToken, InboundEvent
from channels_app.notifications.webhook_subscriptions import account_webhooks_register
from channels_app.services.accounts import account_create
from channels_app.services.connect import account_connect_finish
from config.sandbox.ebay.notifications import envelope
from config.sandbox.ebay.signing import compact
from tests.channels_app.connectors.ebay.conftest import VERIFICATION_TOKEN, credentials

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(fake_ebay, settings):
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    created = account_create(
        kind="ebay",
        name="eBay",
        base_url=fake_ebay.url,
        credentials=credentials(fake_ebay),
        options={"seller_user": "fake_seller", "alert_email": "ops@example.com"},
        schedule=False,
    )
    account_connect_finish(account=created, params={"state": "s", "code": fake_ebay.consent()}, state="s")
    return created


def _post(client, account, body: bytes, signature: str | None):
    headers = {"HTTP_X_EBAY_SIGNATURE": signature} if signature is not None else {}
    url = reverse("channels_webhooks:ebay_notifications", args=[account.webhook_token])
    return client.post(url, data=body, content_type="application/json", **headers)


def _order_notice(fake, order_id: str) -> bytes:
    return compact(envelope("ORDER_CONFIRMATION", {"orderId": order_id}, moment=fake.state.clock()))


def test_the_deletion_challenge_answers_as_ebay_specifies(client, settings):
    # The worked example of docs/vendors/ebay.md §6.3 (sha256 of code + token + endpoint, hex).
    settings.EBAY_DELETION_VERIFICATION_TOKEN = "stockmaster-verification-token-0123456789abcdef"
    settings.EBAY_DELETION_ENDPOINT = "https://stock.example.com/channels/ebay/notifications/"
    answer = client.get(
        reverse("channels_webhooks:ebay_account_deletion"),
        {"challenge_code": "a8628072-3d33-45ee-9004-bee86830a22d"},
    )
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/json"
    assert answer.json() == {
        "challengeResponse": "c3954a8beae8e429f82d647c3f9e6aff9100d490809d441b996e4efa2d3242e1"
    }
    assert client.get(reverse("channels_webhooks:ebay_account_deletion")).status_code == 400


def test_an_account_destination_answers_the_challenge_with_its_own_url_and_token(client, account):
    url = reverse("channels_webhooks:ebay_notifications", args=[account.webhook_token])
    answer = client.get(url, {"challenge_code": "abc"})
    expected = challenge_response(
        challenge_code="abc", verification_token=VERIFICATION_TOKEN, endpoint=f"http://testserver{url}"
    )
    assert answer.json() == {"challengeResponse": expected}


def test_a_forged_notification_is_refused_and_nothing_is_stored(client, account, fake_ebay):
    fake_ebay.item_add("MUG-RED", 3)
    order = fake_ebay.buy("MUG-RED", 1)
    body = _order_notice(fake_ebay, order.order_id)
    from cryptography.hazmat.primitives.asymmetric import ec

    forged = fake_ebay.signer.header(body, key=ec.generate_private_key(ec.SECP256R1()))  # the real kid
    unknown_kid = fake_ebay.signer.header(body, kid="not-a-kid", key=ec.generate_private_key(ec.SECP256R1()))
    tampered_body = body.replace(order.order_id.encode(), b"12-99999-99999")
    genuine = fake_ebay.signer.header(body)

    assert _post(client, account, body, forged).status_code == 412
    assert _post(client, account, body, unknown_kid).status_code == 412
    assert _post(client, account, tampered_body, genuine).status_code == 412
    assert _post(client, account, body, None).status_code == 412
    assert _post(client, account, body, base64.b64encode(b"not json").decode()).status_code == 412
    assert InboundEvent.objects.count() == 0
    keys = [r for r in fake_ebay.requests if "/public_key/" in r["path"]]
    assert len(keys) == 2  # the real kid once (then cached), the unknown kid once (remembered)

    answer = _post(client, account, body, genuine)
    assert answer.status_code == 200
    event = InboundEvent.objects.get()
    assert (event.topic, event.payload["orderId"]) == ("ORDER_CONFIRMATION", order.order_id)
    assert len([r for r in fake_ebay.requests if "/public_key/" in r["path"]]) == 2
    app_calls = [r for r in fake_ebay.requests if "/public_key/" in r["path"]]
    assert all(fake_ebay.state.tokens[r["headers"]["Authorization"][7:]].kind == "app" for r in app_calls)


def test_a_deletion_notice_for_the_seller_erases_its_tokens_and_a_forged_one_does_nothing(
    client, account, fake_ebay
):
    notice = envelope(
        "MARKETPLACE_ACCOUNT_DELETION",
        {"username": "fake_seller", "userId": "ma8vp1jySJC", "eiasToken": "nY+sHZ2PrBmdj6wVnY+sEZ2PrA2dj6wJ"},
        moment=fake_ebay.state.clock(),
    )
    body = compact(notice)
    url = reverse("channels_webhooks:ebay_account_deletion")
    from cryptography.hazmat.primitives.asymmetric import ec

    forged = fake_ebay.signer.header(body, key=ec.generate_private_key(ec.SECP256R1()))
    assert (
        client.post(url, data=body, content_type="application/json", HTTP_X_EBAY_SIGNATURE=forged).status_code
        == 412
    )
    assert ChannelToken.objects.filter(account=account).exists()

    answer = client.post(
        url, data=body, content_type="application/json", HTTP_X_EBAY_SIGNATURE=fake_ebay.signer.header(body)
    )

    assert answer.status_code == 204
    account = ChannelAccount.objects.get(pk=account.pk)
    assert (account.enabled, ChannelToken.objects.filter(account=account).exists()) == (False, False)
    assert "eBay deleted the seller's account" in account.last_error


@pytest.mark.django_db(transaction=True)
def test_registering_subscribes_order_confirmation_and_a_sale_arrives_signed(
    django_server, account, fake_ebay
):
    fake_ebay.item_add("MUG-RED", 3)
    url = account_webhooks_register(account_id=account.pk, base_url=django_server)
    account_webhooks_register(account_id=account.pk, base_url=django_server)  # again: kept, not doubled

    endpoint = f"{django_server}/webhooks/channels/ebay/{account.webhook_token}/"
    assert url.endswith(f"/{account.webhook_token}/")
    assert [d["deliveryConfig"]["endpoint"] for d in fake_ebay.state.destinations.values()] == [endpoint]
    assert [s["topicId"] for s in fake_ebay.state.subscriptions.values()] == ["ORDER_CONFIRMATION"]
    order = fake_ebay.buy("MUG-RED", 1)
    for thread in fake_ebay.deliveries.threads:
        thread.join(10)
    assert fake_ebay.deliveries.log == [(endpoint, 200)]
    event = InboundEvent.objects.get(account=account)
    assert event.payload["orderId"] == order.order_id
    assert json.loads(json.dumps(event.payload)) == {"orderId": order.order_id}
