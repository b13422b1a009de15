"""Full push and listings import as background jobs, started from the channel account admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from channels_app.models import ChannelAccount, Listing
from channels_app.services.accounts import account_create
from channels_app.services.jobs import account_full_push_step
from inventory_app.models import BackgroundJob
from inventory_app.services.jobs import job_start
from tests.factories import SKUFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    client.force_login(UserFactory(role="operator"))
    return client


def _account(shop, name: str) -> ChannelAccount:
    """A generic account on ``shop`` whose listings are not imported yet."""
    credentials = {"api_key": shop.api_key, "webhook_secret": shop.webhook_secret}
    return account_create(
        kind="generic",
        name=name,
        base_url=shop.base_url,
        credentials=credentials,
        options={"rate_per_second": 50},
    )


def _action(client, name: str, account: ChannelAccount):
    return client.post(
        reverse("admin:channels_app_channelaccount_changelist"),
        {"action": name, "_selected_action": [account.pk]},
    )


def test_full_push_sends_every_figure_again_and_the_action_shows_its_job(operator, shop_a, on_commit):
    shop, account, _sku, _location = shop_a  # the channel shows 5, as we believe
    pushes_before = len(shop.requests_of("POST quantities"))

    with on_commit(execute=True):
        response = _action(operator, "full_push", account)
    job = BackgroundJob.objects.get()

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:inventory_app_backgroundjob_change", args=[job.pk])
    assert (job.kind, job.label, job.status, job.total, job.done) == (
        "channels.full_push",
        "Full push: Shop A",
        "done",
        1,
        1,
    )
    assert job.result == {"listings": 1, "pushed": 1, "failing": 0, "waiting": 0}
    assert job.summary == "Pushed 1 of 1 listing(s)."
    assert job.links == [
        ["Listings of the account", f"/admin/channels_app/listing/?account__id__exact={account.pk}"]
    ]
    assert shop.quantity("A-L1") == 5
    assert len(shop.requests_of("POST quantities")) == pushes_before + 1


def test_full_push_that_the_channel_refuses_ends_with_the_failing_listings(
    operator, shop_a, on_commit, settings
):
    shop, account, _sku, _location = shop_a
    settings.CHANNELS_TASK_MAX_RETRIES = 1
    shop.fail_next("POST quantities", 10, status=400)

    with on_commit(execute=True):
        _action(operator, "full_push", account)
    job = BackgroundJob.objects.get()
    listing = Listing.objects.get(account=account)

    assert job.status == "done"
    assert job.result == {"listings": 1, "pushed": 0, "failing": 1, "waiting": 0}
    assert "1 failing" in job.summary
    assert (listing.needs_push, listing.push_failures > 0, listing.last_error != "") == (True, True, True)


def test_full_push_of_a_disabled_account_fails_its_job_and_marks_nothing(shop_a):
    _shop, account, _sku, _location = shop_a
    ChannelAccount.objects.filter(pk=account.pk).update(enabled=False)
    job = job_start(kind="channels.full_push", label="Full push")

    assert account_full_push_step(job_id=job.pk, account_id=account.pk, marked=False) is None
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "The account is disabled or gone; nothing was pushed.")
    assert Listing.objects.filter(account=account, needs_push=True).count() == 0


def test_full_push_step_waits_while_listings_are_not_pushed_yet(shop_a):
    _shop, account, _sku, _location = shop_a
    job = job_start(kind="channels.full_push", label="Full push", total=1)

    delay = account_full_push_step(job_id=job.pk, account_id=account.pk, marked=False)  # push not run yet
    job.refresh_from_db()

    assert delay == 3.0
    assert (job.status, job.done, job.total, job.note) == ("running", 0, 1, "1 listing(s) wait to be pushed")
    assert Listing.objects.get(account=account).belief_shifted is True


def test_listings_import_runs_in_the_background_and_reports_its_counts(operator, shops, on_commit):
    SKUFactory(code="S1")
    shop = shops()
    shop.listing_add("L1", sku="S1", quantity=1)
    shop.listing_add("L2", sku="OTHER", quantity=1)
    account = _account(shop, "Shop B")

    with on_commit(execute=True):
        response = _action(operator, "import_listings", account)
    job = BackgroundJob.objects.get()

    assert response["Location"] == reverse("admin:inventory_app_backgroundjob_change", args=[job.pk])
    assert (job.kind, job.status, job.done, job.result) == (
        "channels.listings_import",
        "done",
        2,
        {"imported": 2, "linked": 1},
    )
    assert job.summary == "Imported 2 listing(s); linked 1 to our SKUs by code."
    assert Listing.objects.filter(account=account).count() == 2


def test_listings_import_the_channel_refuses_fails_the_job_with_why(operator, shops, on_commit):
    shop = shops()
    account = _account(shop, "Shop C")
    shop.fail_next("GET listings", 1, status=400)

    with on_commit(execute=True):
        _action(operator, "import_listings", account)
    job = BackgroundJob.objects.get()

    assert job.status == "failed" and job.error.startswith("The channel failed: ")
    assert Listing.objects.filter(account=account).count() == 0


def test_a_viewer_cannot_start_a_full_push(client, shop_a):
    _shop, account, _sku, _location = shop_a
    client.force_login(UserFactory(role="viewer"))

    _action(client, "full_push", account)

    assert BackgroundJob.objects.count() == 0
