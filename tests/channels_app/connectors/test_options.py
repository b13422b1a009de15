"""Connector options and credentials declared as data: validation and the READMEs' tables."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from channels_app.connectors.amazon.connector import AmazonConnector
from channels_app.connectors.generic.connector import GenericConnector
from channels_app.connectors.options import connector_readme, options_problems
from channels_app.connectors.registry import connector_class_get, connector_kinds
from channels_app.connectors.shopify.connector import ShopifyConnector
from channels_app.models import ChannelAccount
from channels_app.services.accounts import AccountError, account_create


@pytest.mark.parametrize("kind", ["generic", "amazon", "shopify"])
def test_each_readme_carries_the_options_table_of_its_declaration(kind):
    path, wanted = connector_readme(connector_class_get(kind=kind))

    assert path.read_text() == wanted, f"{path} is out of date: run manage.py connector_readme"


def test_the_readme_command_check_writes_nothing_and_passes_when_tables_agree(tmp_path):
    before = {
        kind: connector_readme(connector_class_get(kind=kind))[0].read_text() for kind in connector_kinds()
    }

    call_command("connector_readme", "--check")

    assert {
        k: connector_readme(connector_class_get(kind=k))[0].read_text() for k in connector_kinds()
    } == before


def test_secret_fields_derive_from_the_credential_declarations():
    assert GenericConnector.secret_fields == ("api_key", "webhook_secret")
    assert AmazonConnector.secret_fields == ("client_secret", "refresh_token", "aws_secret_access_key")
    assert ShopifyConnector.credential_fields == (
        "access_token",
        "webhook_secret",
        "client_id",
        "client_secret",
    )
    assert ShopifyConnector.secret_fields == ("access_token", "webhook_secret", "client_secret")


def test_option_values_are_checked_against_their_declared_types():
    declared = AmazonConnector.options

    assert (
        options_problems(declared=declared, options={"marketplace_ids": "ATVPDKIKX0DER", "sandbox": True})
        == []
    )
    assert options_problems(
        declared=declared, options={"sandbox": 1, "patch_max": True, "feed_min": 1.5}
    ) == [
        "option 'sandbox' must be of type bool, not int",
        "option 'patch_max' must be of type int, not bool",
        "option 'feed_min' must be of type int, not float",
    ]
    assert options_problems(declared=declared, options={"throttle_max_wait": 3}) == []


@pytest.mark.django_db
def test_an_unknown_generic_option_is_refused_and_creates_nothing(shops):
    shop = shops()

    with pytest.raises(AccountError, match="Options: unknown option 'quantity_mod'"):
        account_create(
            kind="generic", name="Shop", base_url=shop.base_url,
            credentials={"api_key": "k", "webhook_secret": "w"}, options={"quantity_mod": "set"},
        )  # fmt: skip

    assert ChannelAccount.objects.count() == 0
