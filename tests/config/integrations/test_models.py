"""Channel and shipping accounts share one abstract vendor account, with their columns unchanged
(no migration: tests/config/test_settings.py runs makemigrations --check)."""

from __future__ import annotations

import pytest

from channels_app.models import ChannelAccount
from channels_app.services.accounts import account_create
from config.integrations.models import VendorAccount
from shipping_app.models import ShippingAccount
from shipping_app.services.accounts import shipping_account_create

SHARED = ["name", "base_url", "credentials_encrypted", "options", "enabled", "webhook_token", "last_error"]


def test_both_accounts_inherit_the_shared_fields_under_their_old_columns():
    for model, kind in ((ChannelAccount, "kind"), (ShippingAccount, "provider")):
        assert issubclass(model, VendorAccount) and model.kind_field == kind
        columns = {f.name: f.column for f in model._meta.concrete_fields}
        assert {name: columns[name] for name in [*SHARED, kind]} == {name: name for name in [*SHARED, kind]}
        assert model._meta.ordering == ["name", "pk"]


@pytest.mark.django_db
def test_vendor_kind_str_and_webhook_tokens():
    channel = account_create(
        kind="generic", name="Shop", base_url="https://shop.example.com/api/", credentials={"api_key": "k"}
    )
    shipping = shipping_account_create(
        provider="shippo", name="Labels", base_url="https://api.goshippo.com/", credentials={"api_token": "t"}
    )

    assert (channel.vendor_kind, str(channel)) == ("generic", "Shop (generic)")
    assert (shipping.vendor_kind, str(shipping)) == ("shippo", "Labels (shippo)")
    assert len(channel.webhook_token) == len(shipping.webhook_token) == 32
    assert channel.webhook_token != shipping.webhook_token
