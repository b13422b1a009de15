"""Accounting connections' expiring refresh tokens reach the core's alerts (mail once, an event)
and the dashboard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounting_app.models import AccountingConnection, ConnectionStatus
from accounting_app.selectors.credentials import accounting_credentials_expiry
from inventory_app.hooks import CredentialsExpiry
from inventory_app.models import Event, EventType
from inventory_app.services.alerts import alerts_notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_connecting_records_when_the_refresh_token_expires(fake_xero, fake_qbo):
    from tests.accounting_app.scenario import QBO_ACCOUNTS, XERO_ACCOUNTS, connect, connection_make

    before = timezone.now()
    xero = connect(connection_make(kind="xero", fake=fake_xero, accounts=XERO_ACCOUNTS), fake_xero)
    qbo = connect(connection_make(kind="quickbooks", fake=fake_qbo, accounts=QBO_ACCOUNTS), fake_qbo)
    after = timezone.now()

    # Xero: unused refresh tokens expire after 60 days; QuickBooks says so in its answer (8726400 s).
    assert before + timedelta(days=60) <= xero.refresh_expires_at <= after + timedelta(days=60)
    assert before + timedelta(seconds=8726400) <= qbo.refresh_expires_at <= after + timedelta(seconds=8726400)


def test_the_provider_lists_expiring_and_lost_grants_only(xero):
    soon = timezone.now() + timedelta(days=3)
    AccountingConnection.objects.filter(pk=xero.pk).update(refresh_expires_at=soon)
    lost = AccountingConnection.objects.create(
        kind="quickbooks",
        name="Books",
        client_id="c",
        status=ConnectionStatus.NEEDS_RECONNECT,
        last_error="Token endpoint refused the grant: invalid_grant",
        export_from=timezone.localdate(),
    )
    AccountingConnection.objects.create(
        kind="xero", name="Never connected", client_id="c", export_from=timezone.localdate()
    )

    assert accounting_credentials_expiry() == [
        CredentialsExpiry(
            key=f"accounting-connection:{xero.pk}",
            name=f"Accounting connection {xero.name}",
            expires_at=soon,
            text="Connect it again before then.",
        ),
        CredentialsExpiry(
            key=f"accounting-connection:{lost.pk}",
            name="Accounting connection Books",
            expires_at=None,
            text="Token endpoint refused the grant: invalid_grant",
        ),
    ]


def test_an_expiring_refresh_token_is_mailed_once_recorded_as_an_event_and_shown_on_the_dashboard(
    xero, settings, client
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALERTS_EMAILS = ["ops@example.com"]
    settings.ALERTS_DIGEST = False
    settings.ALERTS_CREDENTIALS_DAYS = 7
    soon = timezone.now() + timedelta(days=3)
    AccountingConnection.objects.filter(pk=xero.pk).update(refresh_expires_at=soon)
    key = f"credentials:accounting-connection:{xero.pk}"
    client.force_login(UserFactory(role="viewer"))

    first = alerts_notify()
    second = alerts_notify()  # the next beat tick: the condition still holds
    later = alerts_notify(now=timezone.now() + timedelta(hours=1))
    dashboard = client.get("/admin/").content.decode()

    credential_mails = [m for m in mail.outbox if f"Accounting connection {xero.name}" in m.body]
    assert first >= 1 and (second, later) == (0, 0)
    assert len(credential_mails) == 1
    assert f"credentials expire {soon:%Y-%m-%d %H:%M} UTC" in credential_mails[0].body
    assert list(Event.objects.filter(type=EventType.CREDENTIALS_EXPIRING).values_list("key", flat=True)) == [
        key
    ]
    assert 'id="credentials-expiring"' in dashboard
    assert f"Accounting connection {xero.name}: expire" in dashboard


def test_a_refresh_token_far_from_expiry_raises_no_alert(xero, settings):
    settings.ALERTS_CREDENTIALS_DAYS = 7
    AccountingConnection.objects.filter(pk=xero.pk).update(
        refresh_expires_at=timezone.now() + timedelta(days=59)
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALERTS_EMAILS = ["ops@example.com"]

    alerts_notify()

    assert not any("Accounting connection" in m.body for m in mail.outbox)
    assert Event.objects.filter(type=EventType.CREDENTIALS_EXPIRING).count() == 0
