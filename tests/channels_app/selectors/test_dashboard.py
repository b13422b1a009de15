"""Channel health on the dashboard: figures per account through the core's hook, each with its list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from channels_app.models import DriftRecord, InboundEvent, InboundEventStatus, Listing
from channels_app.selectors.dashboard import channel_health_rows
from inventory_app.dashboard_hooks import channel_health_collect
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _break(account) -> Listing:
    listing = Listing.objects.get(account=account)
    Listing.objects.filter(pk=listing.pk).update(
        needs_push=True,
        push_failures=3,
        dirty_since=timezone.now() - timedelta(seconds=90),
        last_error="HTTP 500",
    )
    InboundEvent.objects.create(
        account=account, event_id="e1", source="poll", status=InboundEventStatus.FAILED
    )
    InboundEvent.objects.create(
        account=account, event_id="e2", source="poll", status=InboundEventStatus.PROCESSED
    )
    DriftRecord.objects.create(account=account, listing=listing, expected_qty=5, seen_qty=4)
    return listing


def test_health_rows_count_waiting_failing_events_and_drift_per_account(shop_a):
    _, account, _, _ = shop_a
    _break(account)

    (row,) = channel_health_rows()

    assert (row.name, row.waiting, row.failing, row.failed_events, row.drift_24h) == ("Shop A", 1, 1, 1, 1)
    assert 89 <= row.lag_seconds < 120
    assert row.daily_budget_left is None
    assert not row.healthy
    # registered by channels_app's ready()
    assert [(h.name, h.failing) for h in channel_health_collect()] == [("Shop A", 1)]


def test_dashboard_links_the_failing_figure_to_the_failing_listings(shop_a, client):
    _, account, _, _ = shop_a
    listing = _break(account)
    client.force_login(UserFactory(role="viewer"))

    page = client.get("/admin/").content.decode()
    (row,) = channel_health_rows()
    failing = client.get(row.links["failing"])
    events = client.get(row.links["failed_events"])
    drift = client.get(row.links["drift"])

    assert 'id="channel-health"' in page and "Shop A" in page
    assert list(failing.context["cl"].result_list) == [listing]
    assert [e.event_id for e in events.context["cl"].result_list] == ["e1"]
    assert drift.context["cl"].result_count == 1


def test_health_of_a_quiet_account_is_healthy_with_no_lag(shop_a):
    (row,) = channel_health_rows()

    assert (row.waiting, row.failing, row.failed_events, row.drift_24h, row.lag_seconds) == (0, 0, 0, 0, None)
    assert row.healthy
