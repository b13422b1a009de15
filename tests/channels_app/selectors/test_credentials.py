"""Channel grants that expire though no token says so: an Amazon public application's
authorisation (365 days), listed for the core's alerts; a malformed day is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels_app.selectors.credentials import channel_credentials_expiry
from channels_app.services.accounts import AccountError, account_create
from inventory_app.hooks import CredentialsExpiry

pytestmark = pytest.mark.django_db

CREDENTIALS = {"client_id": "amzn1.application-oa2-client.x", "client_secret": "s", "refresh_token": "Atzr|x"}


def _amazon(name: str, **options):
    return account_create(
        kind="amazon",
        name=name,
        base_url="https://sellingpartnerapi-eu.amazon.com",
        credentials=CREDENTIALS,
        options={"seller_id": "A1", "marketplace_ids": ["A1PA6795UKMFR9"], "region": "eu", **options},
        schedule=False,
    )


def test_a_public_amazon_application_expires_365_days_after_it_was_authorised():
    account = _amazon("Amazon DE", authorized_on="2026-01-10")
    _amazon("Amazon private")  # self-authorised: no day, nothing to renew

    assert channel_credentials_expiry() == [
        CredentialsExpiry(
            key=f"channel-account:{account.pk}:authorization",
            name="Channel account Amazon DE",
            expires_at=datetime(2027, 1, 10, tzinfo=UTC),
            text="Re-authorise the Amazon (Selling Partner API) application, then update the account's"
            " authorized_on.",
        )
    ]


def test_an_authorisation_day_that_is_not_a_date_is_refused():
    with pytest.raises(AccountError, match="authorized_on"):
        _amazon("Amazon bad", authorized_on="10/01/2026")
