"""Tasks and the schedule: bounded retries after a 429, refusals recorded, due periods, beat row."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accounting_app.models import DocumentStatus, ExportDocument
from accounting_app.services.exports import scheduled_exports_due
from accounting_app.tasks import accounting_export_task

pytestmark = pytest.mark.django_db


def test_the_task_retries_after_a_429_beyond_the_request_bounds(xero, fake_xero, shop):
    fake_xero.inject(
        "GET", "/Invoices", status=429, headers={"Retry-After": "3600", "X-Rate-Limit-Problem": "daily"}
    )

    result = accounting_export_task.apply(
        args=(xero.pk, shop.today.isoformat(), shop.today.isoformat())
    ).get()

    assert result["posted"] == 4
    assert ExportDocument.objects.filter(status=DocumentStatus.POSTED).count() == 4


def test_the_task_gives_up_after_its_bound(xero, fake_xero, shop, settings):
    settings.ACCOUNTING_TASK_MAX_RETRIES = 2
    fake_xero.inject("GET", "/Invoices", status=503, times=10)

    result = accounting_export_task.apply(
        args=(xero.pk, shop.today.isoformat(), shop.today.isoformat())
    ).get()

    assert result == {"gave_up": "GET /api.xro/2.0/Invoices: HTTP 503"}
    assert sum(n for call, n in fake_xero.calls.items() if call.startswith("PUT")) == 0
    assert xero.runs.count() == 3


def test_an_unconnected_connection_is_refused_without_retries(fake_xero, shop):
    from tests.accounting_app.scenario import XERO_ACCOUNTS, connection_make

    connection = connection_make(kind="xero", fake=fake_xero, accounts=XERO_ACCOUNTS)

    result = accounting_export_task.apply(
        args=(connection.pk, shop.today.isoformat(), shop.today.isoformat())
    ).get()

    assert result == {"refused": "Connection Books (xero) is not connected (new)"}
    assert fake_xero.requests == [] or all("/api.xro" not in r.path for r in fake_xero.requests)


def test_due_periods_run_up_to_yesterday_in_bounded_chunks(xero):
    today = xero.export_from + timedelta(days=40)

    assert scheduled_exports_due(today=today) == [
        (xero.pk, xero.export_from, xero.export_from + timedelta(days=30))
    ]
    xero.exported_through = today - timedelta(days=1)
    xero.save(update_fields=["exported_through"])
    assert scheduled_exports_due(today=today) == []


def test_a_scheduled_run_moves_exported_through(xero, fake_xero, shop):
    from accounting_app.services.exports import scheduled_export_run

    scheduled_export_run(connection_id=xero.pk, date_from=shop.today - timedelta(days=1), date_to=shop.today)

    xero.refresh_from_db()
    assert xero.exported_through == shop.today and len(fake_xero.invoices) == 2


def test_the_beat_row_exists():
    from django_celery_beat.models import PeriodicTask

    from accounting_app.services.schedule import DUE_NAME, DUE_TASK, accounting_schedule_ensure

    row = PeriodicTask.objects.get(name=DUE_NAME)
    assert (row.task, row.interval.every, row.enabled) == (DUE_TASK, 3600, True)
    assert accounting_schedule_ensure().pk == row.pk


def test_unmapped_accounts_are_refused_and_recorded_on_the_connection(xero, fake_xero, shop):
    xero.mappings.filter(role="cogs").delete()

    result = accounting_export_task.apply(
        args=(xero.pk, shop.today.isoformat(), shop.today.isoformat())
    ).get()

    xero.refresh_from_db()
    assert result == {"refused": f"No account is mapped for 'cogs' on connection {xero.pk}"}
    assert xero.last_error == result["refused"] and fake_xero.invoices == []


def test_a_revoked_connection_is_not_retried(xero, fake_xero, shop):
    fake_xero.refresh.clear()
    fake_xero.expire_access_tokens()

    result = accounting_export_task.apply(
        args=(xero.pk, shop.today.isoformat(), shop.today.isoformat())
    ).get()

    assert result == {"refused": "Token endpoint refused the grant: invalid_grant"}
    assert xero.runs.count() == 1
