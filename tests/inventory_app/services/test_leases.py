"""Row leases: one holder at a time, run out after a dead holder, never renewed or freed by a loser."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounting_app.models import AccountingConnection
from inventory_app.services.leases import row_lease_release, row_lease_renew, row_lease_take

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
FIELDS = {"until_field": "export_leased_until", "holder_field": "export_leased_by"}
MINUTE = timedelta(minutes=1)


@pytest.fixture
def rows():
    """Any row with a lease's two columns (here an accounting connection's export lease)."""
    row = AccountingConnection.objects.create(
        kind="xero", name="Books", client_id="c", export_from=date.today()
    )
    return AccountingConnection.objects.filter(pk=row.pk)


def test_a_held_lease_is_refused_to_a_second_holder_until_released(rows):
    assert row_lease_take(rows=rows, holder="a", lease=MINUTE, **FIELDS) is True
    assert row_lease_take(rows=rows, holder="b", lease=MINUTE, **FIELDS) is False
    assert rows.get().export_leased_by == "a"

    assert row_lease_release(rows=rows, holder="a", **FIELDS) is True
    assert row_lease_take(rows=rows, holder="b", lease=MINUTE, **FIELDS) is True
    assert rows.get().export_leased_by == "b"


def test_a_lease_run_out_is_taken_over_and_the_old_holder_can_neither_renew_nor_free_it(rows):
    row_lease_take(rows=rows, holder="dead", lease=MINUTE, **FIELDS)
    rows.update(export_leased_until=timezone.now() - timedelta(seconds=1))  # the holder died a while ago

    assert row_lease_take(rows=rows, holder="next", lease=MINUTE, **FIELDS) is True
    assert row_lease_renew(rows=rows, holder="dead", lease=MINUTE, **FIELDS) is False
    assert row_lease_release(rows=rows, holder="dead", **FIELDS) is False
    taken = rows.get()
    assert taken.export_leased_by == "next" and taken.export_leased_until > timezone.now()
    assert row_lease_renew(rows=rows, holder="next", lease=MINUTE, **FIELDS) is True


def test_a_lease_that_ran_out_untaken_is_still_renewed_by_its_holder_but_not_after_release(rows):
    row_lease_take(rows=rows, holder="slow", lease=MINUTE, **FIELDS)
    rows.update(export_leased_until=timezone.now() - timedelta(seconds=1))

    assert row_lease_renew(rows=rows, holder="slow", lease=MINUTE, **FIELDS) is True
    assert row_lease_release(rows=rows, holder="slow", **FIELDS) is True
    assert row_lease_renew(rows=rows, holder="slow", lease=MINUTE, **FIELDS) is False
    assert rows.get().export_leased_until is None
