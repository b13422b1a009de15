"""The admin's OAuth connect flow: consent redirect, callback with the state check, tokens encrypted."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from accounting_app.models import AccountingConnection, ConnectionStatus
from accounting_app.services.connections import connection_secrets
from tests.accounting_app.scenario import XERO_ACCOUNTS, connection_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(user)
    return client


def _start(admin_client, connection):
    response = admin_client.get(
        reverse("admin:accounting_app_accountingconnection_connect", args=[connection.pk])
    )
    assert response.status_code == 302
    return response["Location"]


def _callback_path(location: str) -> str:
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"


def test_connect_redirects_to_consent_and_the_callback_stores_encrypted_tokens(admin_client, fake_xero):
    connection = connection_make(kind="xero", fake=fake_xero, accounts=XERO_ACCOUNTS)

    consent = _start(admin_client, connection)
    query = parse_qs(urlsplit(consent).query)
    assert consent.startswith(fake_xero.authorize_url)
    assert query["redirect_uri"] == [
        "http://testserver/admin/accounting_app/accountingconnection/oauth/callback/"
    ]
    assert "offline_access" in query["scope"][0].split() and query["state"][0].startswith(f"{connection.pk}.")
    response = admin_client.get(_callback_path(fake_xero.consent(consent)))

    assert response.status_code == 302 and response["Location"].endswith(f"/{connection.pk}/change/")
    connection.refresh_from_db()
    secrets = connection_secrets(connection=connection)
    assert connection.status == ConnectionStatus.CONNECTED and connection.tenant_id == fake_xero.tenant_id
    assert connection.tenant_name == "Demo Company (NZ)"
    assert secrets["access_token"] in fake_xero.access and secrets["refresh_token"] in fake_xero.refresh
    for clear in (secrets["access_token"], secrets["refresh_token"], fake_xero.client_secret):
        assert clear not in connection.secrets_encrypted
    assert connection.oauth_state_hash == "" and query["state"][0] not in str(connection.__dict__)


def _refused(admin_client, connection, path):
    response = admin_client.get(path)
    connection.refresh_from_db()
    assert "access_token" not in connection_secrets(connection=connection)
    assert connection.status == ConnectionStatus.NEW
    return response


def test_a_tampered_state_is_refused_and_nothing_is_stored(admin_client, fake_xero):
    connection = connection_make(kind="xero", fake=fake_xero, accounts=XERO_ACCOUNTS)
    callback = fake_xero.consent(_start(admin_client, connection))
    state = parse_qs(urlsplit(callback).query)["state"][0]
    code = parse_qs(urlsplit(callback).query)["code"][0]

    response = _refused(
        admin_client, connection, urlsplit(callback).path + f"?code={code}&state={state[:-2]}xx"
    )

    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Not connected: The authorisation state does not match: start the connection again"]
    assert code in fake_xero.codes  # the code was never exchanged


def test_a_state_is_single_use(admin_client, fake_xero):
    connection = connection_make(kind="xero", fake=fake_xero, accounts=XERO_ACCOUNTS)
    callback = _callback_path(fake_xero.consent(_start(admin_client, connection)))
    admin_client.get(callback)
    connection.refresh_from_db()
    first = connection.secrets_encrypted

    admin_client.get(callback)

    connection.refresh_from_db()
    assert connection.secrets_encrypted == first and fake_xero.calls["POST /connect/token"] == 1


def test_an_expired_state_is_refused(admin_client, fake_xero):
    connection = connection_make(kind="xero", fake=fake_xero, accounts=XERO_ACCOUNTS)
    callback = _callback_path(fake_xero.consent(_start(admin_client, connection)))
    AccountingConnection.objects.filter(pk=connection.pk).update(
        oauth_state_expires_at=timezone.now() - timedelta(seconds=1)
    )

    _refused(admin_client, connection, callback)


def test_a_state_of_another_connection_is_refused(admin_client, fake_xero):
    first = connection_make(kind="xero", fake=fake_xero, accounts=XERO_ACCOUNTS)
    second = connection_make(kind="xero", fake=fake_xero, accounts=XERO_ACCOUNTS)
    callback = fake_xero.consent(_start(admin_client, first))
    _start(admin_client, second)
    state = parse_qs(urlsplit(callback).query)["state"][0]
    forged = f"{second.pk}.{state.partition('.')[2]}"

    _refused(admin_client, second, urlsplit(callback).path + f"?code=x&state={forged}")


def test_a_callback_without_state_is_a_bad_request(admin_client):
    response = admin_client.get(
        reverse("admin:accounting_app_accountingconnection_oauth_callback") + "?code=x"
    )

    assert response.status_code == 400


def test_quickbooks_takes_the_realm_from_the_callback(admin_client, fake_qbo):
    from tests.accounting_app.scenario import QBO_ACCOUNTS

    connection = connection_make(kind="quickbooks", fake=fake_qbo, accounts=QBO_ACCOUNTS)
    consent = _start(admin_client, connection)
    assert parse_qs(urlsplit(consent).query)["scope"] == ["com.intuit.quickbooks.accounting"]

    admin_client.get(_callback_path(fake_qbo.consent(consent)))

    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.CONNECTED and connection.tenant_id == fake_qbo.realm_id


def test_connection_added_in_the_admin_keeps_the_secret_encrypted(admin_client, fake_xero):
    response = admin_client.post(
        reverse("admin:accounting_app_accountingconnection_add"),
        {
            "kind": "xero",
            "name": "Books",
            "client_id": "xero-client",
            "client_secret": "s3cret-value",
            "export_from": "2026-01-01",
            "sales_mode": "invoice",
            "cogs_mode": "per_order",
            "customer_mode": "per_channel",
            "post_purchases": "on",
            "reference_prefix": "SM",
            "schedule_enabled": "on",
            "api_base_url": fake_xero.base_url,
            "auth_base_url": "",
            "token_url": "",
            "mappings-TOTAL_FORMS": "1",
            "mappings-INITIAL_FORMS": "0",
            "mappings-0-role": "cogs",
            "mappings-0-external_code": "310",
            "tax_mappings-TOTAL_FORMS": "0",
            "tax_mappings-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content[:2000]
    connection = AccountingConnection.objects.get(name="Books")
    assert connection_secrets(connection=connection) == {"client_secret": "s3cret-value"}
    assert "s3cret-value" not in connection.secrets_encrypted
    assert list(connection.mappings.values_list("role", "external_code")) == [("cogs", "310")]


def test_connection_form_refuses_a_token_url_that_is_not_the_vendors(admin_client, settings):
    settings.ACCOUNTING_ALLOW_PRIVATE_HOSTS = False

    response = admin_client.post(
        reverse("admin:accounting_app_accountingconnection_add"),
        {
            "kind": "xero",
            "name": "Books",
            "client_id": "xero-client",
            "client_secret": "s3cret-value",
            "export_from": "2026-01-01",
            "sales_mode": "invoice",
            "cogs_mode": "per_order",
            "customer_mode": "per_channel",
            "reference_prefix": "SM",
            "api_base_url": "https://api.xero.com",
            "auth_base_url": "",
            "token_url": "http://127.0.0.1:8000/steal",
            "mappings-TOTAL_FORMS": "0",
            "mappings-INITIAL_FORMS": "0",
            "tax_mappings-TOTAL_FORMS": "0",
            "tax_mappings-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["token_url"] == [
        "The token URL is fixed for this vendor: https://identity.xero.com/connect/token"
    ]
    assert AccountingConnection.objects.filter(name="Books").count() == 0


@pytest.mark.parametrize(
    "answer",
    [
        {"tenantId": "not-a-list"},
        ["a string", 7, None],
        [{"tenantType": "ORGANISATION", "tenantId": {"nested": 1}}],
        [{"tenantType": "ORGANISATION"}],
    ],
)
def test_an_unexpected_xero_tenant_answer_connects_nothing(admin_client, fake_xero, answer):
    connection = connection_make(kind="xero", fake=fake_xero, accounts=XERO_ACCOUNTS)
    fake_xero.connections_answer = answer

    response = _refused(
        admin_client, connection, _callback_path(fake_xero.consent(_start(admin_client, connection)))
    )

    assert response.status_code == 302
    assert response["Location"].endswith("/accounting_app/accountingconnection/")
    assert connection.tenant_id == ""
