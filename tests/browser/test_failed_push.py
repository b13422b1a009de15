"""In a real browser: a failing channel on the dashboard, one click to its failing listings with the
channel's error in full, and a retry that pushes the figure (fake channel on 127.0.0.1)."""

from __future__ import annotations

import pytest

from channels_app.models import Listing
from channels_app.push.run import account_push_dirty
from channels_app.services.accounts import account_create
from channels_app.services.onboarding import account_listings_import
from config.celery import app as celery_app
from config.sandbox.generic_channel import GenericChannelServer
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def failing_shop(settings):
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    settings.CHANNELS_RATE_LIMIT_BACKEND = "db"
    settings.CHANNELS_PUSH_BACKOFF_BASE = 0.05
    eager, propagate = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = True, False
    shop = GenericChannelServer().start()
    shop.listing_add("L1", sku="S1", quantity=0)
    shop.fail_next("POST quantities", 50, status=500)
    stock_receive(sku=SKUFactory(code="S1"), location=LocationFactory(code="A"), quantity=4)
    account = account_create(
        kind="generic",
        name="Shop F",
        base_url=shop.base_url,
        credentials={"api_key": shop.api_key, "webhook_secret": shop.webhook_secret},
        options={"rate_per_second": 50},
    )
    account_listings_import(account=account)
    account_push_dirty(account_id=account.pk)
    with shop.lock:
        shop.faults.clear()  # the channel is back; the listing waits in its backoff
    yield shop, Listing.objects.get(account=account)
    shop.stop()
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = eager, propagate


def test_see_a_failed_push_from_the_dashboard_and_retry_it(staff_session, failing_shop):
    shop, listing = failing_shop
    session = staff_session("operator")
    page = session.page

    session.shot("dashboard-failing-channel")
    page.click('#channel-health a[href*="failing=yes"]')
    page.wait_for_selector("#result_list")
    session.shot("failing-listings")
    error = page.inner_text("#result_list tbody td.field-error")
    page.check("#result_list tbody input.action-select")
    page.select_option("select[name=action]", "retry_push")
    page.click("button[name=index]")
    page.wait_for_selector("ul.messagelist li.success")
    session.shot("retried")

    listing.refresh_from_db()
    assert "500" in error
    assert listing.push_failures == 0 and not listing.needs_push
    assert shop.quantity("L1") == 4
    assert session.foreign_requests() == []
