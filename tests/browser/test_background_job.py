"""In a real browser: start a listings import from the channel account list, watch its progress
bar move without a reload while the worker reports, then read its result page (fake channel on
127.0.0.1; the test plays the worker, so each step is seen)."""

from __future__ import annotations

import pytest

from channels_app.models import Listing
from channels_app.services import jobs as channel_jobs
from channels_app.services.accounts import account_create
from config.sandbox.generic_channel import GenericChannelServer
from inventory_app.models import BackgroundJob
from inventory_app.services.jobs import job_progress
from tests.factories import SKUFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop(settings):
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = True
    settings.CHANNELS_RATE_LIMIT_BACKEND = "db"
    shop = GenericChannelServer().start()
    shop.listing_add("L1", sku="S1", quantity=2)
    shop.listing_add("L2", sku="S2", quantity=0)
    shop.listing_add("L3", sku="ELSEWHERE", quantity=1)
    yield shop
    shop.stop()


def test_start_a_listings_import_watch_its_progress_and_read_its_result(staff_session, shop, monkeypatch):
    SKUFactory(code="S1")
    SKUFactory(code="S2")
    account = account_create(
        kind="generic",
        name="Shop J",
        base_url=shop.base_url,
        credentials={"api_key": shop.api_key, "webhook_secret": shop.webhook_secret},
        options={"rate_per_second": 50},
    )
    queued = []  # the worker's queue: this test runs the task itself, step by step
    monkeypatch.setattr(channel_jobs, "task_enqueue", lambda *, name, args: queued.append((name, args)))
    session = staff_session("operator")
    page = session.page

    session.goto("/admin/channels_app/channelaccount/")
    page.check("#result_list tbody input.action-select")
    page.select_option("select[name=action]", "import_listings")
    session.shot("account-list-action")
    page.click("button[name=index]")
    page.wait_for_selector("#job-bar")
    session.shot("job-queued")
    job = BackgroundJob.objects.get()
    queued_status = page.inner_text("#job-status")
    page.evaluate("window.sameDocument = true")  # gone if the page reloads

    channel_jobs.job_begin(job_id=job.pk)
    job_progress(job_id=job.pk, done=2, note="2 listing(s) read so far")
    page.wait_for_function("document.getElementById('job-count').textContent === '2'")
    session.shot("job-running")
    running = (page.inner_text("#job-status"), page.inner_text("#job-note"))
    same_document = page.evaluate("window.sameDocument === true")

    channel_jobs.account_listings_import_job_run(job_id=job.pk, account_id=account.pk)
    page.wait_for_selector("#job-summary")
    session.shot("job-result")
    summary = page.inner_text("#job-summary")
    page.click("ul.job-links a")
    page.wait_for_selector("#result_list")
    session.shot("imported-listings")

    assert queued == [("channels_app.tasks.account_listings_import_job_task", (job.pk, account.pk))]
    assert queued_status == "Queued"
    assert running == ("Running", "2 listing(s) read so far") and same_document
    assert summary == "Imported 3 listing(s); linked 2 to our SKUs by code."
    assert Listing.objects.filter(account=account, sku__isnull=False).count() == 2
    assert page.locator("#result_list tbody tr").count() == 3
    assert session.foreign_requests() == []
