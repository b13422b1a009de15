"""A connection's endpoints are the vendor's: fixed token and consent URLs, documented API hosts."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from accounting_app.exporters.endpoints import EndpointRefused
from accounting_app.exporters.quickbooks import oauth as qbo_oauth
from accounting_app.exporters.xero import oauth as xero_oauth
from accounting_app.models import AccountingConnection
from accounting_app.services.connections import (
    connection_authorize_start,
    connection_create,
    connection_exporter,
)


@pytest.fixture(autouse=True)
def _production_rules(settings):
    settings.ACCOUNTING_ALLOW_PRIVATE_HOSTS = False


def _create(kind="xero", **urls):
    return connection_create(
        kind=kind, name="Books", client_id="id", client_secret="s3cret", export_from=date(2024, 1, 1), **urls
    )


@pytest.mark.parametrize(
    ("field", "url"),
    [
        ("token_url", "http://127.0.0.1:9/token"),
        ("token_url", "https://identity.xero.com.evil.example/connect/token"),
        ("token_url", "https://identity.xero.com/other"),
        ("api_base_url", "http://127.0.0.1:9/"),
        ("api_base_url", "https://169.254.169.254/"),
        ("api_base_url", "https://api.xero.com.evil.example/"),
        ("api_base_url", "https://api.xero.com:8443/"),
        ("api_base_url", "http://api.xero.com/"),
        ("auth_base_url", "https://phish.example.com/authorize"),
    ],
)
def test_a_connection_naming_another_endpoint_is_refused_and_not_stored(db, field, url):
    with pytest.raises(ValidationError) as caught:
        _create(**{field: url})

    assert list(caught.value.message_dict) == [field]
    assert AccountingConnection.objects.count() == 0


def test_the_vendors_own_endpoints_are_accepted(db):
    xero = _create(api_base_url="https://api.xero.com", token_url=xero_oauth.TOKEN_URL)
    sandbox = _create(kind="quickbooks", api_base_url="https://sandbox-quickbooks.api.intuit.com")

    assert connection_exporter(connection=xero).api_root == "https://api.xero.com"
    assert connection_exporter(connection=sandbox).api_root == "https://sandbox-quickbooks.api.intuit.com"
    assert connection_exporter(connection=sandbox).oauth_token_url == qbo_oauth.TOKEN_URL


def test_loopback_fakes_are_allowed_only_with_the_test_setting(db, settings):
    settings.ACCOUNTING_ALLOW_PRIVATE_HOSTS = True

    connection = _create(api_base_url="http://127.0.0.1:9/", token_url="http://127.0.0.1:9/token")

    assert connection_exporter(connection=connection).api_root == "http://127.0.0.1:9/"


def test_a_stored_endpoint_the_rules_refuse_is_refused_at_call_time(db, settings):
    settings.ACCOUNTING_ALLOW_PRIVATE_HOSTS = True
    connection = _create(token_url="http://127.0.0.1:9/token", auth_base_url="http://127.0.0.1:9/auth")
    settings.ACCOUNTING_ALLOW_PRIVATE_HOSTS = False
    exporter = connection_exporter(connection=connection)

    with pytest.raises(EndpointRefused, match="token URL is fixed"):
        exporter.token_refresh(refresh_token="r")
    with pytest.raises(EndpointRefused, match="consent page URL is fixed"):
        connection_authorize_start(connection=connection, redirect_uri="https://stock.example.com/cb")
