"""Tokens: one refresh for concurrent workers, a revoked refresh token stops the export."""

from __future__ import annotations

from collections import Counter

import pytest

from accounting_app.exporters.errors import AuthorizationError
from accounting_app.models import AccountingConnection, ConnectionStatus, DocumentStatus, ExportDocument
from accounting_app.services.connections import connection_exporter, connection_secrets
from accounting_app.services.exports import ExportBusy, _connection_lock, period_export
from tests.accounting_app.scenario import XERO_ACCOUNTS, connect, connection_make
from tests.parallel import run_parallel


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_refresh_once_and_share_the_new_token(fake_xero):
    connection = connect(connection_make(kind="xero", fake=fake_xero, accounts=XERO_ACCOUNTS), fake_xero)
    stale = connection_secrets(connection=connection)["access_token"]
    fake_xero.token_delay = 0.3  # the first refresh is still in flight when the others ask

    def refresh(_):
        fresh = AccountingConnection.objects.get(pk=connection.pk)
        return connection_exporter(connection=fresh).tokens.refresh(rejected=stale)

    outcomes = run_parallel(4, refresh)

    connection.refresh_from_db()
    assert fake_xero.refresh_count == 1
    current = connection_secrets(connection=connection)["access_token"]
    assert outcomes == Counter({current: 4}) and current != stale


@pytest.mark.embedded
@pytest.mark.django_db(transaction=True)
def test_a_second_export_of_the_same_connection_is_refused_while_one_runs(fake_xero):
    connection = connect(connection_make(kind="xero", fake=fake_xero, accounts=XERO_ACCOUNTS), fake_xero)
    from django.utils import timezone

    today = timezone.localdate()

    def export(_):
        try:
            return period_export(connection_id=connection.pk, date_from=today, date_to=today)
        except ExportBusy:
            return "busy"

    with _connection_lock(connection.pk):
        outcomes = run_parallel(1, export)

    assert outcomes == Counter({"busy": 1})
    assert period_export(connection_id=connection.pk, date_from=today, date_to=today).failed == 0


@pytest.mark.django_db
def test_a_revoked_refresh_token_marks_the_connection_and_posts_nothing(xero, fake_xero, shop):
    fake_xero.refresh.clear()  # the user disconnected the app in Xero
    fake_xero.expire_access_tokens()

    with pytest.raises(AuthorizationError):
        period_export(connection_id=xero.pk, date_from=shop.today, date_to=shop.today)

    xero.refresh_from_db()
    assert xero.status == ConnectionStatus.NEEDS_RECONNECT
    assert xero.last_error == "Token endpoint refused the grant: invalid_grant"
    assert not ExportDocument.objects.filter(status=DocumentStatus.POSTED).exists()
    assert fake_xero.invoices == [] and fake_xero.journals == []


@pytest.mark.embedded
@pytest.mark.django_db
def test_an_export_lease_left_by_a_dead_worker_runs_out_and_the_next_export_posts(xero, fake_xero, shop):
    from datetime import timedelta

    from django.utils import timezone

    AccountingConnection.objects.filter(pk=xero.pk).update(
        export_leased_by="export-dead", export_leased_until=timezone.now() + timedelta(minutes=5)
    )
    with pytest.raises(ExportBusy):
        period_export(connection_id=xero.pk, date_from=shop.today, date_to=shop.today)
    assert fake_xero.invoices == []

    AccountingConnection.objects.filter(pk=xero.pk).update(export_leased_until=timezone.now())
    run = period_export(connection_id=xero.pk, date_from=shop.today, date_to=shop.today)

    xero.refresh_from_db()
    assert run.posted == 4 and len(fake_xero.invoices) == 2
    assert xero.export_leased_until is None  # released at the end of the run
